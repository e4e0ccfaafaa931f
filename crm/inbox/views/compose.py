"""Writing to a prospect: the composer's send (and its canned-reply insert), and a first message
to a lead who has no thread yet. Every send goes through ``send_message``."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.views.decorators.http import require_http_methods, require_POST

from crm.compliance.fair_housing import Finding
from crm.inbox.forms import CannedPickForm, ComposerForm, NewConversationForm
from crm.inbox.models import Channel, Conversation, Message
from crm.inbox.services.canned import fill_canned
from crm.inbox.services.sending import SendRefused, can_send, default_channel, send_message, warnings_of
from crm.inbox.views.pane import THREADS_CHANGED, composer_context, render_inbox_with, render_pane, team_conversation
from crm.leads.models import Lead
from crm.leads.permissions import CAN_VIEW, CAN_WORK
from crm.teams.access import get_team_object, team_required
from crm.teams.types import TeamRequest


def conversation_url(conversation: Conversation) -> str:
    return reverse("inbox:conversation", kwargs={"conversation_id": conversation.pk})


def warning_text(findings: list[Finding]) -> str:
    phrases = ", ".join(sorted({f"“{f.phrase}”" for f in findings}))
    return f"Sent, but check the wording for Fair Housing: {phrases}."


def _composer_response(request: TeamRequest, conversation: Conversation, status: int, **composer: Any) -> HttpResponse:
    if request.htmx:
        context = composer_context(request, conversation, **composer)
        return render_pane(request, conversation, "inbox/_pane.html#composer", context, status=status)
    return render_inbox_with(request, conversation, status=status, **composer)


@require_POST
@team_required(role=CAN_WORK)
def send(request: TeamRequest, conversation_id: UUID) -> HttpResponse:
    conversation = team_conversation(conversation_id)
    form = ComposerForm(request.POST)
    if request.POST.get("action") == "insert":
        return _insert_canned(request, conversation, form)
    if not form.is_valid():
        error = next(iter(form.errors.values()))[0]
        return _composer_response(request, conversation, 422, form=form, error=error)
    try:
        message = send_message(
            lead=conversation.lead,
            body=form.cleaned_data["body"],
            channel=conversation.channel,
            user=request.user,
            subject=form.cleaned_data["subject"],
        )
    except SendRefused as exc:
        return _composer_response(request, conversation, 422, form=form, error=str(exc))
    warnings = warnings_of(message)
    if warnings:
        messages.warning(request, warning_text(warnings))
    if not request.htmx:
        return redirect(conversation_url(conversation) + "#composer")
    # Delivery may already have run (eager tasks, or a fast worker): show the status it has now.
    message = Message.objects.select_related("sent_by").get(pk=message.pk)
    message.lead = conversation.lead
    context = composer_context(request, conversation, warnings=warnings) | {"rows": [message]}
    response = render_pane(request, conversation, "inbox/_pane.html#sent", context, status=201)
    response["HX-Trigger"] = THREADS_CHANGED
    return response


def _insert_canned(request: TeamRequest, conversation: Conversation, form: ComposerForm) -> HttpResponse:
    """Fill a canned reply's variables for this thread and put it in the composer (nothing is sent)."""
    pick = CannedPickForm(request.POST)
    current = (request.POST.get("body") or "").rstrip()
    subject = request.POST.get("subject") or ""
    if not pick.is_valid():
        return _composer_response(request, conversation, 422, form=form, error="Choose a canned reply to insert.")
    try:
        text = fill_canned(
            pick.cleaned_data["canned"].body, lead=conversation.lead, user=request.user, property=conversation.property
        )
    except ValidationError as exc:
        error = f"“{pick.cleaned_data['canned'].title}” cannot be used: {exc.messages[0]}"
        return _composer_response(request, conversation, 422, form=form, error=error)
    filled = ComposerForm({"body": f"{current}\n{text}" if current else text, "subject": subject})
    return _composer_response(request, conversation, 200, form=filled)


@require_http_methods(["GET", "POST"])
@team_required(role=CAN_VIEW)
def start(request: TeamRequest, lead_id: UUID) -> HttpResponse:
    """The lead's thread on a channel (``?channel=sms``), or a form to write the first message."""
    lead = get_team_object(Lead, pk=lead_id, merged_into__isnull=True)
    wanted = request.GET.get("channel") or request.POST.get("channel") or ""
    existing = lead.conversations.order_by("-last_message_at")
    if wanted in Channel.values:
        existing = existing.filter(channel=wanted)
    conversation = existing.first()
    if conversation is not None:
        return redirect(conversation_url(conversation))
    can_work = request.membership.has_role(CAN_WORK)
    if request.method == "POST" and not can_work:
        raise PermissionDenied("Viewers cannot send messages.")
    initial_channel = wanted if wanted in Channel.values else default_channel(lead)
    form = NewConversationForm(request.POST or None, initial={"channel": initial_channel})
    error, status = "", 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                message = send_message(
                    lead=lead, body=data["body"], channel=data["channel"], user=request.user, subject=data["subject"]
                )
            except SendRefused as exc:
                error = str(exc)
            else:
                warnings = warnings_of(message)
                if warnings:
                    messages.warning(request, warning_text(warnings))
                else:
                    messages.success(request, f"Sent to {lead.full_name or 'the prospect'}.")
                return redirect(conversation_url(message.conversation))
        status = 422
    context = {
        "lead": lead,
        "form": form,
        "error": error,
        "can_work": can_work,
        "refusals": {label: can_send(lead, value) for value, label in Channel.choices},
    }
    return render(request, "inbox/new.html", context, status=status)


urlpatterns = [
    path("c/<uuid:conversation_id>/send/", send, name="send"),
    path("lead/<uuid:lead_id>/", start, name="lead"),
]
