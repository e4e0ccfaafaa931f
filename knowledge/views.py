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
            "title": "Knowledge",
            "lede": "The facts your agents answer from.",
            "empty_title": "No documents yet",
            "empty_text": "Upload policies, FAQs and fee sheets so the AI answers from your real facts.",
        },
    )
