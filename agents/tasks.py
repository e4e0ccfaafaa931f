"""Agent housekeeping that beat runs."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone
from django_scopes import scopes_disabled

from agents.models import PendingAction, PendingStatus


@shared_task
def expire_pending_actions() -> int:
    """Mark every team's overdue pending actions expired, so lists and counts stop offering them."""
    with scopes_disabled():
        return PendingAction.objects.filter(status=PendingStatus.PENDING, expires_at__lte=timezone.now()).update(
            status=PendingStatus.EXPIRED, error="It waited too long for approval; ask the agent again."
        )
