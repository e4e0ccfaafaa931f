"""Who may do what with leads. Views and the API both use these minimums."""

from __future__ import annotations

from crm.teams.roles import Role

CAN_VIEW = Role.VIEWER  # see the board, leads, timelines
CAN_WORK = Role.AGENT  # create, edit, move stage, assign, notes, tours, tasks
CAN_MANAGE = Role.MANAGER  # bulk actions, CSV import and export, merge, delete
