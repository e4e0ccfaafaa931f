from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from crm.teams.access import team_required


@team_required
def index(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "sections/empty.html",
        {
            "title": "Inbox",
            "lede": "Texts and email with prospects, in one place.",
            "empty_title": "Inbox zero",
            "empty_text": "Conversations with prospects will appear here, newest first.",
        },
    )
