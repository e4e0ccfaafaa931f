"""Who may do what with ad copy. Views and the API both use these minimums.

Generating copy can cost model tokens and saving it creates shared drafts, so it is work
(agent and up), like working leads; anyone in the team may read the saved drafts.
"""

from __future__ import annotations

from crm.teams.roles import Role

CAN_VIEW = Role.VIEWER  # read saved drafts
CAN_GENERATE = Role.AGENT  # generate copy, save drafts, delete one's own drafts
