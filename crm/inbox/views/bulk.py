"""Bulk send (managers and up): one text or canned reply to many leads, each through
``send_message``. The report says how many went out and why the others were skipped."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import path
from django.views.decorators.http import require_http_methods

from crm.inbox.forms import BulkSendForm
from crm.inbox.services.bulk import BULK_MAX_LEADS, BulkReport, bulk_send
from crm.leads.models import Lead
from crm.leads.permissions import CAN_MANAGE
from crm.leads.selectors import search_q
from crm.teams.access import team_required
from crm.teams.types import TeamRequest

SEARCH_LIMIT = 50


@require_http_methods(["GET", "POST"])
@team_required(role=CAN_MANAGE)
def bulk(request: TeamRequest) -> HttpResponse:
    report: BulkReport | None = None
    if request.method == "POST":
        form = BulkSendForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            report = bulk_send(
                leads=data["lead"].select_related("property").order_by("created_at"),
                body=data["text"],
                channel=data["channel"] or None,
                user=request.user,
            )
            messages.success(request, report.summary())
            form = BulkSendForm()
        status = 422 if form.errors else 200
    else:
        form = BulkSendForm(initial={"lead": request.GET.getlist("lead")})
        status = 200
    query = request.GET.get("q", "").strip()[:100]
    selected_ids = [str(v) for v in (request.POST.getlist("lead") if form.errors else request.GET.getlist("lead"))]
    selected = _uuids(selected_ids)
    found = Lead.objects.active().select_related("property")
    found = found.filter(search_q(query)) if query else found.filter(pk__in=selected)
    shown = list(found.order_by("first_name", "last_name")[:SEARCH_LIMIT])
    shown_ids = {str(lead.pk) for lead in shown}
    context = {
        "form": form,
        "message_fields": [form["canned"], form["body"], form["channel"]],
        "report": report,
        "query": query,
        "found": shown,
        "selected": set(selected),
        # Chosen earlier, not in this search: still sent with the form.
        "kept": [pk for pk in selected if pk not in shown_ids],
        "limit": BULK_MAX_LEADS,
    }
    return render(request, "inbox/bulk.html", context, status=status)


def _uuids(values: list[str]) -> list[str]:
    valid = []
    for value in values:
        try:
            valid.append(str(UUID(value)))
        except ValueError:
            continue
    return valid


urlpatterns = [
    path("bulk/", bulk, name="bulk"),
]
