"""Writes about leads. Views, the API, imports, tasks and (later) the agents all come here."""
