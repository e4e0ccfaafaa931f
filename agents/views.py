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
            "title": "Agents",
            "lede": "Your AI leasing, marketing and property agents.",
            "empty_title": "No agents configured",
            "empty_text": "AI agents answer prospects around the clock from your knowledge base.",
        },
    )
