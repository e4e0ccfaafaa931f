"""The knowledge search page: ``GET /knowledge/search/?q=&property=&kind=``.

Any member may search (CAN_READ). The same view serves the page and, for the form's htmx
request, only the results. Filters that do not parse (another team's property, an unknown kind)
are dropped rather than refused, like the document list's.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import path
from django.views.decorators.http import require_GET

from crm.leads.forms import team_properties
from crm.properties.models import Property
from crm.teams.access import team_required
from crm.teams.types import TeamRequest
from knowledge.models import DocumentKind
from knowledge.permissions import CAN_READ
from knowledge.search import hybrid_search

RESULTS_SHOWN = 10
MAX_QUERY_CHARS = 300


class SearchForm(forms.Form):
    q = forms.CharField(
        required=False,
        max_length=MAX_QUERY_CHARS,
        strip=True,
        label="Search for",
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "e.g. Do you allow dogs?", "autofocus": True}),
    )
    property: forms.ModelChoiceField[Property] = forms.ModelChoiceField(
        queryset=None,  # set per request, inside the team's scope
        required=False,
        empty_label="Any property",
        label="Property",
        help_text="A property's own documents and the team-wide ones.",
    )
    kind = forms.ChoiceField(required=False, choices=[("", "Any kind"), *DocumentKind.choices], label="Kind")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "search-%s")
        super().__init__(*args, **kwargs)
        self.fields["property"].queryset = team_properties()  # type: ignore[attr-defined]

    def valid_data(self) -> dict[str, Any]:
        self.is_valid()  # cleaned_data keeps the fields that parsed
        return self.cleaned_data


@require_GET
@team_required(role=CAN_READ)
def search(request: TeamRequest) -> HttpResponse:
    form = SearchForm(request.GET)
    data = form.valid_data()
    query = data.get("q") or ""
    results = (
        hybrid_search(
            query=query,
            team=request.team,
            property=data.get("property"),
            kind=data.get("kind") or None,
            k=RESULTS_SHOWN,
        )
        if query
        else []
    )
    context = {"form": form, "query": query, "results": results}
    if request.htmx and request.htmx.target == "search-results":
        return render(request, "knowledge/search.html#search-results", context)
    return render(request, "knowledge/search.html", context)


urlpatterns = [
    path("search/", search, name="search"),
]
