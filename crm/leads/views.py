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
            "title": "Leads",
            "lede": "Every prospect from every source, on one board.",
            "empty_title": "No leads yet",
            "empty_text": "Leads from your website, listing sites, ads, texts and calls will land here as guest cards.",
        },
    )
