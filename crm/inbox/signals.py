"""Signals other apps listen to without the inbox importing them (the agents' auto-reply)."""

from django.dispatch import Signal

# Sent after commit with ``message`` (an inbound Message, not a STOP/START/HELP keyword).
inbound_message_received = Signal()
