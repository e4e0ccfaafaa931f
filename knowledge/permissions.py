"""Who may do what with the knowledge base. Views and the API both use these minimums.

Every member reads it: the facts are what the whole team answers prospects from. Adding,
changing and deleting documents needs the agent role, like working leads: agents are the
ones who notice a fee sheet is out of date. A team that wants only managers to curate it
changes ``CAN_EDIT`` here.
"""

from __future__ import annotations

from crm.leads.permissions import CAN_VIEW, CAN_WORK

CAN_READ = CAN_VIEW
CAN_EDIT = CAN_WORK
