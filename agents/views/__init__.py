"""The agents' pages: the overview, one chat pane per agent, approvals and the audit log."""
