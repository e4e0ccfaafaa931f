"""The pane header's actions: assign, close or reopen, AI on/off (human takeover), mark unread.

Each is a POST that answers with the header (htmx) and asks the thread list to refresh, or
redirects back without JavaScript.
"""

from __future__ import annotations

from collections.abc import Callable
from uuid import UUID

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import path, reverse
from django.views.decorators.http import require_POST

from crm.inbox.forms import AssignForm
from crm.inbox.models import Conversation
from crm.inbox.services.threads import (
    conversation_assign,
    conversation_close,
    conversation_mark_unread,
    conversation_reopen,
    conversation_set_ai,
)
from crm.inbox.views.pane import THREADS_CHANGED, pane_context, render_pane, team_conversation
from crm.leads.permissions import CAN_WORK
from crm.teams.access import team_required
from crm.teams.types import TeamRequest


def _done(
    request: TeamRequest, conversation: Conversation, *, to_list: bool = False, status: int = 200
) -> HttpResponse:
    if not request.htmx:
        if to_list:
            return redirect("inbox:index")
        return redirect(reverse("inbox:conversation", kwargs={"conversation_id": conversation.pk}))
    context = pane_context(request, conversation)
    response = render_pane(request, conversation, "inbox/_pane.html#header", context, status=status)
    response["HX-Trigger"] = THREADS_CHANGED
    return response


@require_POST
@team_required(role=CAN_WORK)
def assign(request: TeamRequest, conversation_id: UUID) -> HttpResponse:
    conversation = team_conversation(conversation_id)
    form = AssignForm(request.POST, team=request.team, user=request.user)
    if not form.is_valid():
        messages.error(
            request, " ".join(str(e) for e in form.errors.get("assignee") or ["Choose someone on the team."])
        )
        return _done(request, conversation, status=422)
    assignee = form.cleaned_data["assignee"]
    if conversation_assign(conversation=conversation, assignee=assignee, actor=request.user):
        who = "you" if assignee == request.user else (assignee.display_name if assignee else "nobody")
        messages.success(request, f"Conversation assigned to {who}.")
    return _done(request, conversation)


def _toggle(change: Callable[..., bool], done: str, **kwargs: object) -> Callable[[TeamRequest, UUID], HttpResponse]:
    @require_POST
    @team_required(role=CAN_WORK)
    def view(request: TeamRequest, conversation_id: UUID) -> HttpResponse:
        conversation = team_conversation(conversation_id)
        if change(conversation=conversation, actor=request.user, **kwargs):
            messages.success(request, done)
        return _done(request, conversation)

    return view


close = _toggle(conversation_close, "Conversation closed.")
reopen = _toggle(conversation_reopen, "Conversation reopened.")
ai_off = _toggle(conversation_set_ai, "You have taken over: the AI will not reply in this thread.", enabled=False)
ai_on = _toggle(conversation_set_ai, "AI replies are back on in this thread.", enabled=True)


@require_POST
@team_required(role=CAN_WORK)
def unread(request: TeamRequest, conversation_id: UUID) -> HttpResponse:
    conversation = team_conversation(conversation_id)
    conversation_mark_unread(conversation=conversation)
    messages.success(request, "Marked unread.")
    # Opening the thread again would mark it read, so without JavaScript go back to the list.
    return _done(request, conversation, to_list=True)


urlpatterns = [
    path("c/<uuid:conversation_id>/assign/", assign, name="assign"),
    path("c/<uuid:conversation_id>/close/", close, name="close"),
    path("c/<uuid:conversation_id>/reopen/", reopen, name="reopen"),
    path("c/<uuid:conversation_id>/ai/off/", ai_off, name="ai-off"),
    path("c/<uuid:conversation_id>/ai/on/", ai_on, name="ai-on"),
    path("c/<uuid:conversation_id>/unread/", unread, name="unread"),
]
