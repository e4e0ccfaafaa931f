"""Celery tasks run inside the scope of the team they were enqueued for.

A task declared with ``base=TeamTask`` takes ``team_id`` as a keyword argument; the worker loads
the team and runs the task body inside ``team_scope``, exactly as a web request would. A task
for a team that no longer exists is dropped with a log line rather than retried forever.
"""

from __future__ import annotations

import logging
from typing import Any

from celery import shared_task
from celery.contrib.django.task import DjangoTask
from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from crm.teams.models import Invitation, Team
from crm.teams.scoping import team_scope

logger = logging.getLogger(__name__)


class TeamTask(DjangoTask):
    abstract = True
    # Callers pass ``team_id``; the body receives the loaded ``team``. Celery's call-time
    # signature check would compare the two and refuse, so the check is off for these tasks.
    typing = False

    def __call__(self, *args: Any, team_id: str, **kwargs: Any) -> Any:
        team = Team.objects.filter(pk=team_id).first()
        if team is None:
            logger.warning("task for a missing team dropped", extra={"task": self.name, "team_id": team_id})
            return None
        with team_scope(team):
            return super().__call__(*args, team=team, **kwargs)


@shared_task(base=TeamTask, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_invitation_email(*, team: Team, invitation_id: str, token: str) -> bool:
    invitation = Invitation.objects.filter(pk=invitation_id).select_related("invited_by").first()
    if invitation is None or invitation.status != "pending":
        logger.info("invitation email skipped", extra={"invitation_id": invitation_id})
        return False
    link = settings.SITE_URL + reverse("teams:invitation", kwargs={"token": token})
    context = {"invitation": invitation, "team": team, "link": link}
    inviter = invitation.invited_by.display_name if invitation.invited_by else "A teammate"
    send_mail(
        subject=f"{inviter} invited you to {team.name} on Loriaa",
        message=render_to_string("teams/email/invitation.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=[invitation.email],
    )
    Invitation.objects.filter(pk=invitation.pk).update(sent_at=timezone.now())
    logger.info("invitation email sent", extra={"invitation_id": invitation_id, "team_id": str(team.id)})
    return True
