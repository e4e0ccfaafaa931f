"""Canned replies, managed by managers and up: list, add, edit, delete."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_GET, require_http_methods

from crm.inbox.forms import CannedReplyForm
from crm.inbox.models import CannedReply
from crm.inbox.services.canned import VARIABLES
from crm.leads.permissions import CAN_MANAGE
from crm.teams.access import get_team_object, team_required
from crm.teams.types import TeamRequest


@require_GET
@team_required(role=CAN_MANAGE)
def canned_list(request: TeamRequest) -> HttpResponse:
    replies = list(CannedReply.objects.order_by("title"))
    return render(request, "inbox/canned_list.html", {"replies": replies, "variables": VARIABLES})


def _edit(request: TeamRequest, reply: CannedReply | None) -> HttpResponse:
    form = CannedReplyForm(request.POST or None, instance=reply, team=request.team)
    if request.method == "POST":
        if form.is_valid():
            saved = form.save()
            messages.success(request, f"Saved “{saved.title}”.")
            return redirect("inbox:canned")
        status = 422
    else:
        status = 200
    context = {"form": form, "reply": reply, "variables": VARIABLES}
    return render(request, "inbox/canned_form.html", context, status=status)


@require_http_methods(["GET", "POST"])
@team_required(role=CAN_MANAGE)
def canned_add(request: TeamRequest) -> HttpResponse:
    return _edit(request, None)


@require_http_methods(["GET", "POST"])
@team_required(role=CAN_MANAGE)
def canned_edit(request: TeamRequest, canned_id: UUID) -> HttpResponse:
    return _edit(request, get_team_object(CannedReply, pk=canned_id))


@require_http_methods(["GET", "POST"])
@team_required(role=CAN_MANAGE)
def canned_delete(request: TeamRequest, canned_id: UUID) -> HttpResponse:
    reply = get_team_object(CannedReply, pk=canned_id)
    if request.method == "POST":
        reply.delete()
        messages.success(request, f"Deleted “{reply.title}”.")
        return redirect("inbox:canned")
    return render(request, "inbox/canned_delete.html", {"reply": reply})


urlpatterns = [
    path("canned/", canned_list, name="canned"),
    path("canned/new/", canned_add, name="canned-add"),
    path("canned/<uuid:canned_id>/", canned_edit, name="canned-edit"),
    path("canned/<uuid:canned_id>/delete/", canned_delete, name="canned-delete"),
]
