"""The ad copy page: the form, results with character counts and Copy buttons, htmx fragments."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.urls import reverse

from crm.properties.models import Property
from crm.teams.roles import Role
from crm.teams.scoping import team_scope
from tests.conftest import TeamWorld, login
from tests.factories import PropertyFactory

PAGE = reverse("marketing:ad-copy")
HTMX: dict[str, Any] = {"HTTP_HX_REQUEST": "true"}


def form_data(prop: Property, **extra: str) -> dict[str, str]:
    return {
        "property": str(prop.pk),
        "platform": "facebook",
        "objective": "leads",
        "tone": "friendly",
        "variations": "3",
        **extra,
    }


def test_the_page_offers_the_teams_properties_and_says_the_engine_is_offline(
    team_a: TeamWorld, team_b: TeamWorld, place: Property
) -> None:
    with team_scope(team_b.team):
        PropertyFactory(team=team_b.team, name="Bravo Towers")

    response = login(team_a.user(Role.AGENT)).get(PAGE, {"property": str(place.pk)})

    body = response.content.decode()
    assert response.status_code == 200
    assert f'<option value="{place.pk}" selected>Riverside Commons</option>' in body
    assert "Bravo Towers" not in body
    assert "Offline engine" in body
    assert "Housing special ad category" in body
    assert 'href="/static/css/marketing.css"' in body
    assert "style=" not in body
    assert "<script>" not in body


def test_a_viewer_cannot_generate_copy(team_a: TeamWorld, place: Property) -> None:
    client = login(team_a.user(Role.VIEWER))
    assert client.get(PAGE).status_code == 403
    assert client.post(PAGE, form_data(place)).status_code == 403


def test_an_anonymous_visitor_is_sent_to_log_in() -> None:
    from django.test import Client

    response = Client().get(PAGE)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_generating_shows_each_variation_with_counts_a_copy_button_and_a_save_form(
    team_a: TeamWorld, place: Property
) -> None:
    response = login(team_a.user(Role.AGENT)).post(PAGE, form_data(place, highlights="rooftop pool"))

    body = response.content.decode()
    assert response.status_code == 200
    assert "3 Facebook variations for Riverside Commons" in body
    assert 'data-engine="offline"' in body
    for number in (1, 2, 3):
        assert f'data-copy="#variation-{number}-text"' in body
        assert f'<textarea id="variation-{number}-text"' in body
    assert body.count("Save as draft") == 3
    counts = [(int(a), int(b)) for a, b in re.findall(r'class="ad-count"[^>]*>(\d+)/(\d+)<', body)]
    assert len(counts) == 9, "primary text, headline and description of three variations"
    assert {limit for _, limit in counts} == {125, 40, 30}
    assert all(0 < used <= limit for used, limit in counts)
    assert "Call to action" in body


def test_google_results_count_every_headline_and_description(team_a: TeamWorld, place: Property) -> None:
    response = login(team_a.user(Role.AGENT)).post(PAGE, form_data(place, platform="google", variations="1"))
    body = response.content.decode()
    counts = [(int(a), int(b)) for a, b in re.findall(r'class="ad-count"[^>]*>(\d+)/(\d+)<', body)]
    assert {limit for _, limit in counts} == {30, 90}
    assert all(used <= limit for used, limit in counts)
    assert "Headlines:\n- " in body, "the plain-text twin lists the headlines for pasting"


def test_htmx_gets_the_generator_fragment_only(team_a: TeamWorld, place: Property) -> None:
    response = login(team_a.user(Role.AGENT)).post(PAGE, form_data(place), **HTMX)
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="ad-copy-generator"')
    assert "<html" not in body
    assert 'name="seed" value="1"' in body, "Other wording asks for the next seed"
    assert json.loads(response["HX-Trigger"])["toasts"] == [{"message": "3 variations ready.", "level": "info"}]


def test_other_wording_gives_other_copy(team_a: TeamWorld, place: Property) -> None:
    client = login(team_a.user(Role.AGENT))
    first = client.post(PAGE, form_data(place), **HTMX).content.decode()
    other = client.post(PAGE, {**form_data(place), "seed": "1"}, **HTMX).content.decode()
    texts = re.compile(r'<textarea id="variation-\d-text"[^>]*>(.*?)</textarea>', re.S)
    assert texts.findall(first) != texts.findall(other)


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"variations": "6"}, "less than or equal to 5"),
        ({"platform": "tiktok"}, "Select a valid choice"),
        ({"property": ""}, "This field is required"),
    ],
)
def test_an_invalid_request_comes_back_with_its_errors(
    team_a: TeamWorld, place: Property, change: dict[str, str], error: str
) -> None:
    response = login(team_a.user(Role.AGENT)).post(PAGE, {**form_data(place), **change}, **HTMX)
    assert response.status_code == 422
    assert error in response.content.decode()


def test_another_teams_property_is_not_a_choice(team_a: TeamWorld, team_b: TeamWorld, place: Property) -> None:
    with team_scope(team_b.team):
        theirs = PropertyFactory(team=team_b.team, name="Bravo Towers")
    response = login(team_a.user(Role.AGENT)).post(PAGE, form_data(theirs))
    assert response.status_code == 422
    assert "Select a valid choice" in response.content.decode()
    assert "Bravo Towers" not in response.content.decode()


def test_a_team_without_properties_is_told_to_add_one(team_a: TeamWorld) -> None:
    response = login(team_a.user(Role.AGENT)).get(PAGE)
    assert "No properties yet" in response.content.decode()


def test_model_output_is_escaped_like_any_user_text(team_a: TeamWorld) -> None:
    with team_scope(team_a.team):
        prop = PropertyFactory(team=team_a.team, name="<b>Bold</b> Flats", city="Austin")
    body = login(team_a.user(Role.AGENT)).post(PAGE, form_data(prop)).content.decode()
    assert "<b>Bold</b>" not in body
    assert "&lt;b&gt;Bold&lt;/b&gt; Flats" in body
