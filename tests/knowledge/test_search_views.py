"""The knowledge search page."""

from __future__ import annotations

import re
from typing import cast

from django.test import Client
from django.urls import reverse
from django_scopes import scopes_disabled

from crm.properties.models import Property
from crm.teams.roles import Role
from tests.conftest import TeamWorld, login
from tests.factories import PropertyFactory
from tests.knowledge.passages import add_passage

PETS = "Pet policy: cats and dogs up to 50 pounds are welcome with a $300 deposit and $35 monthly pet rent."
POOL = "The rooftop pool is open from 8am to 10pm, Memorial Day through Labor Day."


def results_of(html: str) -> list[str]:
    return re.findall(r'<li class="search-result">(.*?)</li>', html, re.S)


def test_any_member_finds_passages_with_the_document_badges_snippet_and_score(
    team_a: TeamWorld, riverside: Property
) -> None:
    pets = add_passage(team_a.team, PETS, title="Pet policy", kind="policy", property=riverside)
    add_passage(team_a.team, POOL, title="Amenities", kind="amenities")

    response = login(team_a.user(Role.VIEWER)).get(reverse("knowledge:search"), {"q": "dogs"})

    assert response.status_code == 200
    html = response.content.decode()
    first = results_of(html)[0]
    assert f'href="{reverse("knowledge:document", args=[pets.document_id])}"' in first
    assert "Pet policy" in first
    assert '<span class="badge">Policy</span>' in first
    assert '<span class="badge">Riverside Commons</span>' in first
    assert "<mark>dogs</mark>" in first
    assert re.search(r"score 0\.0\d{3}", first)
    assert "knowledge-search" in html  # the page's stylesheet


def test_the_page_asks_for_a_query_before_searching(team_a: TeamWorld) -> None:
    response = login(team_a.user(Role.AGENT)).get(reverse("knowledge:search"))
    assert response.status_code == 200
    assert "Ask what a prospect would ask" in response.content.decode()
    assert results_of(response.content.decode()) == []


def test_a_search_that_finds_nothing_says_so(team_a: TeamWorld) -> None:
    response = login(team_a.user(Role.AGENT)).get(reverse("knowledge:search"), {"q": "dogs"})
    assert "Nothing found" in response.content.decode()


def test_the_forms_htmx_request_gets_only_the_results(team_a: TeamWorld) -> None:
    add_passage(team_a.team, PETS)
    response = login(team_a.user(Role.AGENT)).get(
        reverse("knowledge:search"), {"q": "dogs"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="search-results"
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="search-results"')
    assert "<html" not in html
    assert len(results_of(html)) == 1


def test_filters_narrow_the_search_and_another_teams_property_is_ignored(
    team_a: TeamWorld, team_b: TeamWorld, riverside: Property, maple: Property
) -> None:
    add_passage(team_a.team, "Riverside: dogs welcome.", title="Riverside pets", property=riverside)
    add_passage(team_a.team, "Maple Court: dogs welcome.", title="Maple pets", property=maple)
    add_passage(team_a.team, "Dog park fees: $10.", title="Fee sheet", kind="fees")
    with scopes_disabled():
        bravo_property = cast(Property, PropertyFactory(team=team_b.team, name="Bravo Towers"))
    client = login(team_a.user(Role.AGENT))

    narrowed = client.get(reverse("knowledge:search"), {"q": "dogs", "property": str(riverside.pk)}).content.decode()
    assert "Riverside pets" in narrowed
    assert "Maple pets" not in narrowed
    by_kind = client.get(reverse("knowledge:search"), {"q": "dogs", "kind": "fees"}).content.decode()
    assert [("Fee sheet" in r) for r in results_of(by_kind)] == [True]
    foreign = client.get(reverse("knowledge:search"), {"q": "dogs", "property": str(bravo_property.pk)})
    assert foreign.status_code == 200
    assert len(results_of(foreign.content.decode())) == 3  # the unknown property is dropped, not applied
    assert "Bravo Towers" not in foreign.content.decode()


def test_team_bs_passages_never_appear(team_a: TeamWorld, team_b: TeamWorld) -> None:
    add_passage(team_b.team, "Bravo canary: do you allow dogs? Yes.", title="Bravo canary policy")
    add_passage(team_a.team, PETS)
    html = login(team_a.user(Role.OWNER)).get(reverse("knowledge:search"), {"q": "do you allow dogs"}).content.decode()
    assert "canary" not in html.lower()
    assert len(results_of(html)) == 1


def test_titles_headings_and_text_are_escaped(team_a: TeamWorld) -> None:
    add_passage(
        team_a.team,
        "Dogs welcome <script>alert(1)</script><img src=x onerror=alert(2)>",
        title="<b>Bold</b> policy",
        heading="<i>Pets</i>",
    )
    html = login(team_a.user(Role.AGENT)).get(reverse("knowledge:search"), {"q": "dogs"}).content.decode()
    (result,) = results_of(html)
    assert "&lt;b&gt;Bold&lt;/b&gt; policy" in result
    assert "&lt;i&gt;Pets&lt;/i&gt;" in result
    for tag in ("<b>", "<i>", "<img", "<script"):
        assert tag not in result


def test_anonymous_visitors_are_sent_to_log_in(db: None) -> None:
    response = Client().get(reverse("knowledge:search"), {"q": "dogs"})
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
