"""Scores on screen: the guest card's Score panel and Rescore button, and the board card's badge."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from crm.leads.models import Lead
from crm.leads.services.scoring import lead_rescore
from crm.properties.models import Property
from crm.teams.roles import Role
from crm.teams.scoping import team_scope
from tests.conftest import TeamWorld, login
from tests.factories import UnitFactory
from tests.leads.lead_pages import make_lead, make_property, reload, triggers, url

HX = {"HX-Request": "true"}


@pytest.fixture
def flats(team_a: TeamWorld) -> Property:
    place = make_property(team_a, name="Alpha Flats")
    with team_scope(team_a.team):
        UnitFactory(property=place, beds=2, rent=1500)
    return place


@pytest.fixture
def maya(team_a: TeamWorld, flats: Property) -> Lead:
    return make_lead(
        team_a,
        first_name="Maya",
        last_name="Okafor",
        email="maya@example.com",
        source="referral",
        property=flats,
        desired_beds=2,
        budget_max=1600,
        move_in_date=timezone.now().date() + timedelta(days=14),
    )


def scored(world: TeamWorld, lead: Lead) -> Lead:
    with team_scope(world.team):
        return lead_rescore(lead=reload(world, lead))


def test_the_score_panel_lists_each_factor_with_what_was_measured_and_its_points(team_a: TeamWorld, maya: Lead) -> None:
    lead = scored(team_a, maya)
    body = login(team_a.user(Role.VIEWER)).get(url("detail", maya)).content.decode()
    panel = body[body.index('id="lead-score"') : body.index("</section>", body.index('id="lead-score"'))]
    assert f'<span class="score-value">{lead.score}</span>' in panel
    assert lead.score_explanation in panel
    assert '<th scope="row">Budget fit</th>' in panel
    assert "1 available unit within budget" in panel
    assert '+15<span class="muted"> of 15</span>' in panel
    assert "Came in through Referral" in panel
    assert "never used" in panel


def test_agents_see_a_rescore_button_and_viewers_do_not(team_a: TeamWorld, maya: Lead) -> None:
    button = f'action="{url("rescore", maya)}"'
    assert button in login(team_a.user(Role.AGENT)).get(url("detail", maya)).content.decode()
    assert button not in login(team_a.user(Role.VIEWER)).get(url("detail", maya)).content.decode()


def test_an_unscored_lead_says_so(team_a: TeamWorld, maya: Lead) -> None:
    body = login(team_a.user(Role.VIEWER)).get(url("detail", maya)).content.decode()
    assert "Not scored yet." in body


def test_rescoring_answers_htmx_with_the_panel_and_asks_for_the_summary(team_a: TeamWorld, maya: Lead) -> None:
    response = login(team_a.user(Role.AGENT)).post(url("rescore", maya), headers=HX)
    assert response.status_code == 200
    lead = reload(team_a, maya)
    assert lead.score is not None
    body = response.content.decode()
    assert body.lstrip().startswith('<section class="panel" id="lead-score"')
    assert f'<span class="score-value">{lead.score}</span>' in body
    events = triggers(response)
    assert "lead-summary-changed" in events
    assert events["toasts"] == [{"message": f"Maya Okafor scores {lead.score}.", "level": "success"}]


def test_rescoring_without_javascript_goes_back_to_the_panel(team_a: TeamWorld, maya: Lead) -> None:
    response = login(team_a.user(Role.AGENT)).post(url("rescore", maya))
    assert response.status_code == 302
    assert response["Location"] == url("detail", maya) + "#lead-score"


def test_the_panel_reloads_on_its_own(team_a: TeamWorld, maya: Lead) -> None:
    scored(team_a, maya)
    response = login(team_a.user(Role.VIEWER)).get(url("detail", maya) + "?panel=score", headers=HX)
    assert response.content.decode().lstrip().startswith('<section class="panel" id="lead-score"')


def test_a_viewer_may_not_rescore(team_a: TeamWorld, maya: Lead) -> None:
    assert login(team_a.user(Role.VIEWER)).post(url("rescore", maya)).status_code == 403
    assert reload(team_a, maya).score is None


def test_another_teams_member_gets_404(team_a: TeamWorld, team_b: TeamWorld, maya: Lead) -> None:
    assert login(team_b.user(Role.OWNER)).post(url("rescore", maya)).status_code == 404
    assert reload(team_a, maya).score is None


def test_the_board_cards_score_badge_names_the_top_factors(team_a: TeamWorld, maya: Lead) -> None:
    lead = scored(team_a, maya)
    top = sorted((f for f in lead.score_factors if f["contribution"]), key=lambda f: -f["contribution"])[:3]
    reasons = ", ".join(f"{f['label']} +{f['contribution']}" for f in top)
    html = login(team_a.user(Role.VIEWER)).get(reverse("leads:index")).content.decode()
    card = html[html.index(f'id="card-{maya.id}"') : html.index("</li>", html.index(f'id="card-{maya.id}"'))]
    assert f'title="Score {lead.score} of 100: {reasons}"' in card
    assert f'<span class="visually-hidden">: {reasons}</span>' in card


def test_an_unscored_card_says_so_in_its_tooltip(team_a: TeamWorld, maya: Lead) -> None:
    html = login(team_a.user(Role.VIEWER)).get(reverse("leads:index")).content.decode()
    card = html[html.index(f'id="card-{maya.id}"') : html.index("</li>", html.index(f'id="card-{maya.id}"'))]
    assert 'title="Not scored yet"' in card
