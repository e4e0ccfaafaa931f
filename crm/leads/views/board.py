"""Placeholder until the board lands: keeps `leads:index` resolvable."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.urls import path

from crm.teams.access import team_required
from crm.teams.types import TeamRequest


@team_required
def index(request: TeamRequest) -> HttpResponse:
    return render(request, "sections/empty.html", {"title": "Leads", "empty_title": "No leads yet"})


urlpatterns = [path("", index, name="index")]
