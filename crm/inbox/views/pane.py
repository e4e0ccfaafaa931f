"""The open conversation: the pane (a partial, or the whole inbox page without JavaScript), its
3-second poll, attachments, and the local outbox."""

from __future__ import annotations

from datetime import tzinfo
from typing import Any
from urllib.parse import urlencode
from uuid import UUID

from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_GET
from django_htmx.http import trigger_client_event

from crm.inbox.forms import AssignForm, CannedPickForm, ComposerForm
from crm.inbox.models import Channel, Conversation, Direction, MessageAttachment
from crm.inbox.selectors import (
    PollState,
    ThreadFilters,
    changed_messages,
    consent_banner,
    outbox_messages,
    pane_messages,
    poll_conversation,
)
from crm.inbox.services.sending import can_send
from crm.inbox.services.threads import conversation_mark_read
from crm.inbox.sms import sms_length
from crm.inbox.templatetags.inbox_tags import PHOTO_TYPES
from crm.inbox.views.threads import inbox_context
from crm.leads.permissions import CAN_VIEW, CAN_WORK
from crm.leads.views.lead_page import lead_tz
from crm.teams.access import get_team_object, team_required
from crm.teams.types import TeamRequest

THREADS_CHANGED = "inbox-threads-changed"
# Photos a browser may show inline; anything else downloads (an SVG or HTML "image" never renders).
INLINE_TYPES = PHOTO_TYPES


def team_conversation(conversation_id: object) -> Conversation:
    conversation = (
        Conversation.objects.select_related("lead__property", "property", "assignee").filter(pk=conversation_id).first()
    )
    if conversation is None:
        raise Http404("No conversation found.")
    return conversation


def pane_tz(conversation: Conversation) -> tzinfo:
    return conversation.property.tz if conversation.property else lead_tz(conversation.lead)


def composer_context(
    request: TeamRequest,
    conversation: Conversation,
    *,
    form: ComposerForm | None = None,
    error: str = "",
    warnings: list[Any] | None = None,
) -> dict[str, Any]:
    body = (form["body"].value() or "") if form is not None else ""
    return {
        "conversation": conversation,
        "composer": form or ComposerForm(),
        "composer_body": body,
        "composer_subject": (form["subject"].value() or "") if form is not None else "",
        "composer_error": error,
        "composer_refusal": can_send(conversation.lead, conversation.channel),
        "fair_housing_warnings": warnings or [],
        "sms": sms_length(body) if conversation.channel == Channel.SMS else None,
        "canned_form": CannedPickForm(),
        "can_work": request.membership.has_role(CAN_WORK),
    }


def ai_drafts(conversation: Conversation) -> list[Any]:
    """The auto-reply's drafts for this thread that wait for a person (draft mode)."""
    from agents.services.approvals import pending_actions

    return list(pending_actions().filter(conversation_id=conversation.pk, tool="send_message").order_by("created_at"))


def pane_context(request: TeamRequest, conversation: Conversation, **composer: Any) -> dict[str, Any]:
    messages, older = pane_messages(conversation)
    can_work = request.membership.has_role(CAN_WORK)
    context = composer_context(request, conversation, **composer)
    context |= {
        "conversation": conversation,
        "lead": conversation.lead,
        "messages": messages,
        "older": older,
        "poll_query": urlencode(PollState.of(messages).as_query()),
        "banner": consent_banner(conversation.lead, conversation.channel),
        "ai_drafts": ai_drafts(conversation),
        "can_work": can_work,
        "assign_form": AssignForm(
            team=request.team, user=request.user, initial={"assignee": str(conversation.assignee_id or "")}
        )
        if can_work
        else None,
    }
    return context


def render_pane(
    request: TeamRequest, conversation: Conversation, template: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    with timezone.override(pane_tz(conversation)):
        return render(request, template, context, status=status)


def render_inbox_with(
    request: TeamRequest, conversation: Conversation, status: int = 200, **composer: Any
) -> HttpResponse:
    """The whole inbox page with ``conversation`` open (no JavaScript, or a fresh load)."""
    filters = ThreadFilters.from_query(request.GET)
    context = inbox_context(request, filters, cursor=request.GET.get("cursor", ""), open_id=conversation.pk)
    context |= pane_context(request, conversation, **composer)
    return render_pane(request, conversation, "inbox/index.html", context, status=status)


@require_GET
@team_required(role=CAN_VIEW)
def conversation_view(request: TeamRequest, conversation_id: UUID) -> HttpResponse:
    conversation = team_conversation(conversation_id)
    # Reading a thread is the agent's acknowledgement; a viewer looking on does not clear it for the team.
    marked = request.membership.has_role(CAN_WORK) and conversation_mark_read(conversation=conversation)
    if request.htmx and request.htmx.target == "pane":
        response = render_pane(request, conversation, "inbox/_pane.html", pane_context(request, conversation))
    else:
        response = render_inbox_with(request, conversation)
    if marked:
        trigger_client_event(response, THREADS_CHANGED)
    return response


@require_GET
@team_required(role=CAN_VIEW)
def poll(request: TeamRequest, conversation_id: UUID) -> HttpResponse:
    """New messages and status changes since what the pane shows; 204 when there are none."""
    state = PollState.from_query(request.GET)
    changed = poll_conversation(conversation_id, state)
    if changed is None:
        raise Http404("No conversation found.")
    if not changed:
        return HttpResponse(status=204)
    conversation = team_conversation(conversation_id)
    rows = changed_messages(conversation, state)
    inbound = [m for m in rows if m.direction == Direction.INBOUND]
    marked = (
        bool(inbound) and request.membership.has_role(CAN_WORK) and conversation_mark_read(conversation=conversation)
    )
    context = {
        "conversation": conversation,
        "rows": rows,
        "poll_query": urlencode(state.merged(rows).as_query()),
        # A STOP can be among the new texts: the banner follows.
        "refresh_banner": bool(inbound),
        "banner": consent_banner(conversation.lead, conversation.channel) if inbound else None,
    }
    response = render_pane(request, conversation, "inbox/_pane.html#poll-response", context)
    if marked or inbound:
        trigger_client_event(response, THREADS_CHANGED)
    return response


@require_GET
@team_required(role=CAN_VIEW)
def attachment(request: TeamRequest, attachment_id: UUID) -> FileResponse:
    item = get_team_object(MessageAttachment, pk=attachment_id)
    inline = item.content_type in INLINE_TYPES
    response = FileResponse(
        item.file.open("rb"),
        as_attachment=not inline,
        filename=item.filename or "attachment",
        content_type=item.content_type if inline else "application/octet-stream",
    )
    response["Cache-Control"] = "private, max-age=3600"
    return response


@require_GET
@team_required(role=CAN_VIEW)
def outbox(request: TeamRequest) -> HttpResponse:
    rows, before = outbox_messages(before=request.GET.get("before", ""))
    return render(request, "inbox/outbox.html", {"rows": rows, "before": before, "paged": "before" in request.GET})


urlpatterns = [
    path("c/<uuid:conversation_id>/", conversation_view, name="conversation"),
    path("c/<uuid:conversation_id>/poll/", poll, name="poll"),
    path("attachments/<uuid:attachment_id>/", attachment, name="attachment"),
    path("outbox/", outbox, name="outbox"),
]
