"""Small helpers for the inbox templates (and the lead page's "Conversations" card)."""

from __future__ import annotations

from datetime import datetime

from django import template
from django.utils import timezone

from crm.inbox.models import Conversation, MessageAttachment
from crm.inbox.selectors import lead_conversations
from crm.leads.models import Lead

register = template.Library()


@register.filter
def ago(moment: datetime | None) -> str:
    """ "now", "5m", "3h", "2d", then the date: short enough for a thread row."""
    if moment is None:
        return ""
    seconds = (timezone.now() - moment).total_seconds()
    if seconds < 60:
        return "now"
    if seconds < 3600:
        return f"{int(seconds // 60)}m"
    if seconds < 86400:
        return f"{int(seconds // 3600)}h"
    if seconds < 7 * 86400:
        return f"{int(seconds // 86400)}d"
    local = timezone.localtime(moment)
    return local.strftime("%b %-d") if local.year == timezone.localtime().year else local.strftime("%b %-d, %Y")


@register.simple_tag
def conversations_of(lead: Lead) -> list[Conversation]:
    return lead_conversations(lead)


# The types the attachment view serves inline (views/pane.py); anything else is a download link.
PHOTO_TYPES = frozenset({"image/jpeg", "image/png", "image/gif", "image/webp"})


@register.filter
def is_photo(attachment: MessageAttachment) -> bool:
    return attachment.content_type in PHOTO_TYPES
