"""The inbox page and its thread list: filters, keyset "Load more", and a cheap refresh.

The page is two panes: the list of threads and the open conversation (``views/pane.py``). The
list refreshes itself every few seconds through ``threads_poll``, which answers 204 while the
team's newest message is the one the list already shows (one index lookup).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpResponse, HttpResponseNotModified
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.views.decorators.http import require_GET

from crm.inbox.forms import SimulateForm, ThreadFilterForm
from crm.inbox.selectors import THREAD_PAGE_MAX, THREAD_PAGE_SIZE, ThreadFilters, thread_page, threads, threads_version
from crm.leads.permissions import CAN_MANAGE, CAN_VIEW, CAN_WORK
from crm.properties.models import Property
from crm.teams.access import team_required
from crm.teams.types import TeamRequest


def _size(raw: str | None) -> int:
    try:
        return min(max(int(raw or THREAD_PAGE_SIZE), THREAD_PAGE_SIZE), THREAD_PAGE_MAX)
    except ValueError:
        return THREAD_PAGE_SIZE


def list_context(
    request: TeamRequest, filters: ThreadFilters, *, cursor: str = "", size: int = THREAD_PAGE_SIZE
) -> dict[str, Any]:
    rows, next_cursor = thread_page(threads(filters, user_id=request.user.pk), cursor=cursor, size=size)
    query = filters.as_query()
    return {
        "filters": filters,
        "rows": rows,
        "next_cursor": next_cursor,
        "cursor": cursor,
        "shown": max(len(rows), THREAD_PAGE_SIZE),
        "version": threads_version(),
        "filter_query": urlencode(query),
        "has_any": bool(rows) or filters.active or bool(cursor),
    }


def inbox_context(
    request: TeamRequest, filters: ThreadFilters, *, cursor: str = "", open_id: object = None
) -> dict[str, Any]:
    """The whole page: filters, the list, and (``views/pane.py`` adds it) the open thread."""
    properties = list(Property.objects.order_by("name"))
    can_work = request.membership.has_role(CAN_WORK)
    context = list_context(request, filters, cursor=cursor)
    context |= {
        "filter_form": ThreadFilterForm(initial=_initial(filters), properties=properties),
        "open_id": open_id,
        "can_work": can_work,
        "can_manage": request.membership.has_role(CAN_MANAGE),
        "simulator": settings.INBOX_SIMULATOR and can_work,
    }
    if context["simulator"]:
        context["simulate_form"] = SimulateForm()
    return context


def _initial(filters: ThreadFilters) -> dict[str, Any]:
    return {
        "who": filters.who,
        "q": filters.q,
        "channel": filters.channel,
        "property": filters.property,
        "status": filters.status,
        "unread": filters.unread,
    }


@require_GET
@team_required(role=CAN_VIEW)
def index(request: TeamRequest) -> HttpResponse:
    filters = ThreadFilters.from_query(request.GET)
    cursor = request.GET.get("cursor", "")
    if request.htmx and request.htmx.target == "thread-list":
        return render(request, "inbox/index.html#thread-list", list_context(request, filters))
    return render(request, "inbox/index.html", inbox_context(request, filters, cursor=cursor))


@require_GET
@team_required(role=CAN_VIEW)
def threads_more(request: TeamRequest) -> HttpResponse:
    """The next page of threads ("Load more"), appended to the list."""
    if not request.htmx:
        return redirect(reverse("inbox:index") + "?" + request.GET.urlencode())
    filters = ThreadFilters.from_query(request.GET)
    context = list_context(request, filters, cursor=request.GET.get("cursor", ""))
    context["shown"] = _size(request.GET.get("shown")) + len(context["rows"])
    return render(request, "inbox/index.html#thread-page", context)


@require_GET
@team_required(role=CAN_VIEW)
def threads_poll(request: TeamRequest) -> HttpResponse:
    """The list again when a message came or went since ``since``; 204 (or 304) when nothing did."""
    version = threads_version()
    etag = f'"threads-{version}"'
    # ``fresh``: an action changed a thread (assignee, read...) without a new message, so the
    # version is the same but the list is not: always answer, and keep it out of every cache.
    fresh = "fresh" in request.GET
    if not fresh and request.GET.get("since") == version:
        return HttpResponse(status=204)
    if not fresh and request.headers.get("If-None-Match") == etag:
        return HttpResponseNotModified()
    filters = ThreadFilters.from_query(request.GET)
    context = list_context(request, filters, size=_size(request.GET.get("shown")))
    response = render(request, "inbox/index.html#thread-list", context)
    if fresh:
        response["Cache-Control"] = "no-store"
    else:
        response["ETag"] = etag
        response["Cache-Control"] = "private, no-cache"
    return response


urlpatterns = [
    path("", index, name="index"),
    path("threads/", threads_more, name="threads"),
    path("threads/poll/", threads_poll, name="threads-poll"),
]
