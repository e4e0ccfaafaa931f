"""CSV export of the board's current filter, and bulk assign / stage change."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from crm.leads.models import ActivityKind, Lead, LeadActivity, Stage
from crm.leads.services.leads import lead_create
from crm.leads.views.imports import bulk_bar_context
from crm.teams.roles import Role
from crm.teams.scoping import team_scope
from tests.conftest import TeamWorld, login
from tests.factories import LeadFactory, PropertyFactory

HTMX = {"HTTP_HX_REQUEST": "true"}


def exported(response: Any) -> list[dict[str, str]]:
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(body.removeprefix("\ufeff"))))


# --- Export --------------------------------------------------------------------------------------


def test_the_export_is_a_readable_csv_of_the_teams_leads(team_a: TeamWorld, team_b: TeamWorld) -> None:
    agent = team_a.user(Role.AGENT)
    with team_scope(team_a.team):
        oaks = PropertyFactory(team=team_a.team, name="The Oaks")
        lead, _ = lead_create(
            team=team_a.team,
            data={
                "first_name": "Ana",
                "last_name": "Ruiz",
                "email": "ana@example.com",
                "phone": "(512) 555-0101",
                "source": "zillow",
                "property": oaks,
                "desired_beds": 2,
                "budget_min": 1200,
                "budget_max": 1500,
            },
        )
        Lead.objects.filter(pk=lead.pk).update(assigned_to=agent, stage=Stage.TOURED)
    with team_scope(team_b.team):
        LeadFactory(team=team_b.team, first_name="Brenda", email="brenda@example.org")

    response = login(team_a.user(Role.MANAGER)).get(reverse("leads:export"))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    today = timezone.localdate().isoformat()
    assert response["Content-Disposition"] == f'attachment; filename="leads-{team_a.team.slug}-{today}.csv"'
    rows = exported(response)
    assert len(rows) == 1
    row = rows[0]
    assert row["ID"] == str(lead.pk)
    assert (row["First name"], row["Last name"], row["Email"]) == ("Ana", "Ruiz", "ana@example.com")
    assert row["Phone"] == "(512) 555-0101"
    assert (row["Stage"], row["Source"], row["Property"]) == ("Toured", "Zillow", "The Oaks")
    assert row["Assigned to"] == agent.display_name
    assert (row["Bedrooms"], row["Budget min"], row["Budget max"]) == ("2", "1200", "1500")


def test_the_export_follows_the_boards_filters(team_a: TeamWorld) -> None:
    with team_scope(team_a.team):
        LeadFactory(team=team_a.team, first_name="Zed", email="zed@example.com", source="zillow")
        LeadFactory(team=team_a.team, first_name="Wes", email="wes@example.com", source="website")
        LeadFactory(team=team_a.team, first_name="Zoe", email="zoe@example.com", source="zillow", stage="lost")
    client = login(team_a.user(Role.MANAGER))

    by_source = exported(client.get(reverse("leads:export"), {"source": "zillow"}))
    assert sorted(row["First name"] for row in by_source) == ["Zed", "Zoe"]
    by_stage = exported(client.get(reverse("leads:export"), {"source": "zillow", "stage": "lost"}))
    assert [row["First name"] for row in by_stage] == ["Zoe"]
    by_search = exported(client.get(reverse("leads:export"), {"q": "wes@"}))
    assert [row["First name"] for row in by_search] == ["Wes"]


def test_merged_duplicates_are_not_exported(team_a: TeamWorld) -> None:
    with team_scope(team_a.team):
        primary = LeadFactory(team=team_a.team, first_name="Kept")
        LeadFactory(team=team_a.team, first_name="Folded", merged_into=primary)
    rows = exported(login(team_a.user(Role.MANAGER)).get(reverse("leads:export")))
    assert [row["First name"] for row in rows] == ["Kept"]


@pytest.mark.parametrize("payload", ['=HYPERLINK("http://evil")', "+1+1", "-2+3", "@SUM(A1)", "\tTab"])
def test_cells_that_look_like_formulas_are_escaped(team_a: TeamWorld, payload: str) -> None:
    with team_scope(team_a.team):
        LeadFactory(team=team_a.team, first_name=payload, notes=payload, pets="a=b is fine")
    row = exported(login(team_a.user(Role.MANAGER)).get(reverse("leads:export")))[0]
    assert row["First name"] == "'" + payload
    assert row["Notes"] == "'" + payload
    assert row["Pets"] == "a=b is fine"


def test_phone_numbers_outside_north_america_keep_their_country_code_and_are_escaped(team_a: TeamWorld) -> None:
    with team_scope(team_a.team):
        LeadFactory(team=team_a.team, phone="+442079460958")
    row = exported(login(team_a.user(Role.MANAGER)).get(reverse("leads:export")))[0]
    assert row["Phone"] == "'+44 20 7946 0958"


@pytest.mark.parametrize("role", [Role.AGENT, Role.VIEWER])
def test_members_below_manager_cannot_export(team_a: TeamWorld, role: str) -> None:
    assert login(team_a.user(role)).get(reverse("leads:export")).status_code == 403


# --- Bulk actions --------------------------------------------------------------------------------


@pytest.fixture
def three_leads(team_a: TeamWorld) -> list[Lead]:
    with team_scope(team_a.team):
        return [LeadFactory(team=team_a.team, first_name=name) for name in ("Ana", "Bo", "Cy")]


def test_bulk_assign_assigns_the_ticked_leads_and_returns_to_the_board(
    team_a: TeamWorld, three_leads: list[Lead]
) -> None:
    agent = team_a.user(Role.AGENT)
    board = reverse("leads:index") + "?stage=new&q=a"
    response = login(team_a.user(Role.MANAGER)).post(
        reverse("leads:bulk"),
        {
            "action": "assign",
            "assigned_to": str(agent.pk),
            "lead": [three_leads[0].pk, three_leads[1].pk],
            "next": board,
        },
        follow=True,
    )
    assert response.redirect_chain[0] == (board, 302)
    assert f"2 leads assigned to {agent.display_name}." in [str(m) for m in response.context["messages"]]
    with team_scope(team_a.team):
        assert set(Lead.objects.filter(assigned_to=agent).values_list("first_name", flat=True)) == {"Ana", "Bo"}
        assert LeadActivity.objects.filter(kind=ActivityKind.ASSIGNED, actor=team_a.user(Role.MANAGER)).count() == 2


def test_bulk_move_with_htmx_answers_204_with_events_for_the_board(team_a: TeamWorld, three_leads: list[Lead]) -> None:
    response = login(team_a.user(Role.MANAGER)).post(
        reverse("leads:bulk"),
        {"action": "stage", "stage": "lost", "lost_reason": "price", "lead": [lead.pk for lead in three_leads]},
        **HTMX,
    )
    assert response.status_code == 204
    triggers = json.loads(response["HX-Trigger"])
    assert triggers["leadsChanged"]["action"] == "stage"
    assert triggers["leadsChanged"]["changed"] == 3
    assert sorted(triggers["leadsChanged"]["leads"]) == sorted(str(lead.pk) for lead in three_leads)
    assert triggers["toasts"] == [{"message": "3 leads moved to Lost.", "level": "success"}]
    with team_scope(team_a.team):
        assert set(Lead.objects.values_list("stage", "lost_reason")) == {("lost", "price")}


def test_leads_already_there_are_not_counted_as_changed(team_a: TeamWorld, three_leads: list[Lead]) -> None:
    response = login(team_a.user(Role.MANAGER)).post(
        reverse("leads:bulk"), {"action": "stage", "stage": "new", "lead": [three_leads[0].pk]}, **HTMX
    )
    toasts = json.loads(response["HX-Trigger"])["toasts"]
    assert toasts == [{"message": "Nothing changed: the selected leads were already in New.", "level": "info"}]


def test_bulk_unassign(team_a: TeamWorld, three_leads: list[Lead]) -> None:
    with team_scope(team_a.team):
        Lead.objects.update(assigned_to=team_a.user(Role.AGENT))
    login(team_a.user(Role.MANAGER)).post(
        reverse("leads:bulk"), {"action": "assign", "assigned_to": "none", "lead": [three_leads[2].pk]}
    )
    with team_scope(team_a.team):
        assert list(Lead.objects.filter(assigned_to__isnull=True).values_list("first_name", flat=True)) == ["Cy"]


def test_ids_from_another_team_are_simply_not_found(
    team_a: TeamWorld, team_b: TeamWorld, three_leads: list[Lead]
) -> None:
    with team_scope(team_b.team):
        theirs = LeadFactory(team=team_b.team, first_name="Brenda")
    response = login(team_a.user(Role.OWNER)).post(
        reverse("leads:bulk"),
        {"action": "stage", "stage": "applied", "lead": [three_leads[0].pk, theirs.pk, "not-a-uuid"]},
        **HTMX,
    )
    assert response.status_code == 204
    toasts = json.loads(response["HX-Trigger"])["toasts"]
    assert toasts[0]["message"] == "1 lead moved to Applied. 1 lead could not be found."
    with scopes_disabled():
        assert Lead.objects.get(pk=three_leads[0].pk).stage == "applied"
        theirs.refresh_from_db()
        assert theirs.stage == "new"
        assert not LeadActivity.objects.filter(lead=theirs, kind=ActivityKind.STAGE_CHANGED).exists()


def test_leads_cannot_be_assigned_to_someone_outside_the_team(
    team_a: TeamWorld, team_b: TeamWorld, three_leads: list[Lead]
) -> None:
    outsider = team_b.user(Role.AGENT)
    response = login(team_a.user(Role.MANAGER)).post(
        reverse("leads:bulk"),
        {"action": "assign", "assigned_to": str(outsider.pk), "lead": [three_leads[0].pk]},
        **HTMX,
    )
    assert response.status_code == 422
    assert "Select a valid choice" in response.content.decode()
    assert outsider.display_name not in response.content.decode()
    with team_scope(team_a.team):
        assert not Lead.objects.filter(assigned_to__isnull=False).exists()


def test_viewers_are_not_offered_as_assignees(team_a: TeamWorld, three_leads: list[Lead]) -> None:
    viewer = team_a.user(Role.VIEWER)
    response = login(team_a.user(Role.MANAGER)).post(
        reverse("leads:bulk"), {"action": "assign", "assigned_to": str(viewer.pk), "lead": [three_leads[0].pk]}
    )
    assert response.status_code == 302
    with team_scope(team_a.team):
        assert not Lead.objects.filter(assigned_to=viewer).exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"action": "assign", "assigned_to": ""}, "Choose who gets the selected leads."),
        ({"action": "stage", "stage": ""}, "Choose a stage."),
        ({"action": "stage", "stage": "new", "lead": []}, "Select at least one lead."),
        ({"action": "delete"}, "Select a valid choice."),
    ],
)
def test_an_incomplete_bulk_action_comes_back_with_the_problem(
    team_a: TeamWorld, three_leads: list[Lead], data: dict[str, Any], message: str
) -> None:
    data = {"lead": [three_leads[0].pk], **data}
    response = login(team_a.user(Role.MANAGER)).post(reverse("leads:bulk"), data, **HTMX)
    assert response.status_code == 422
    body = response.content.decode()
    assert 'id="bulk-form"' in body
    assert message in body


def test_without_htmx_an_incomplete_bulk_action_returns_with_an_error_message(
    team_a: TeamWorld, three_leads: list[Lead]
) -> None:
    response = login(team_a.user(Role.MANAGER)).post(
        reverse("leads:bulk"), {"action": "stage", "lead": [three_leads[0].pk]}, follow=True
    )
    assert "Choose a stage." in [str(m) for m in response.context["messages"]]


@pytest.mark.parametrize("next_url", ["https://evil.example.com/leads/", "//evil.example.com/", "javascript:alert(1)"])
def test_the_return_address_must_be_on_this_site(team_a: TeamWorld, three_leads: list[Lead], next_url: str) -> None:
    response = login(team_a.user(Role.MANAGER)).post(
        reverse("leads:bulk"), {"action": "stage", "stage": "toured", "lead": [three_leads[0].pk], "next": next_url}
    )
    assert response["Location"] == reverse("leads:index")


def test_the_referring_page_is_the_fallback_return_address(team_a: TeamWorld, three_leads: list[Lead]) -> None:
    response = login(team_a.user(Role.MANAGER)).post(
        reverse("leads:bulk"),
        {"action": "stage", "stage": "toured", "lead": [three_leads[0].pk]},
        HTTP_REFERER="http://testserver/leads/?agent=none",
    )
    assert response["Location"] == "http://testserver/leads/?agent=none"


@pytest.mark.parametrize("role", [Role.AGENT, Role.VIEWER])
def test_members_below_manager_cannot_use_bulk_actions(team_a: TeamWorld, three_leads: list[Lead], role: str) -> None:
    response = login(team_a.user(role)).post(
        reverse("leads:bulk"), {"action": "stage", "stage": "leased", "lead": [lead.pk for lead in three_leads]}
    )
    assert response.status_code == 403
    with team_scope(team_a.team):
        assert set(Lead.objects.values_list("stage", flat=True)) == {"new"}


def test_bulk_actions_need_a_post(team_a: TeamWorld) -> None:
    assert login(team_a.user(Role.MANAGER)).get(reverse("leads:bulk")).status_code == 405


def bulk_bar_for(world: TeamWorld, role: str) -> str:
    request = RequestFactory().get("/leads/?stage=new")
    request.user = world.user(role)
    request.team = world.team  # type: ignore[attr-defined]
    request.membership = world.membership(role)  # type: ignore[attr-defined]
    with team_scope(world.team):
        return render_to_string("leads/_bulk_bar.html", bulk_bar_context(request), request=request)  # type: ignore[arg-type]


def test_the_bulk_bar_offers_the_teams_workers_and_the_stages_to_managers(team_a: TeamWorld, team_b: TeamWorld) -> None:
    html = bulk_bar_for(team_a, Role.MANAGER)
    assert 'id="bulk-form"' in html
    assert f'action="{reverse("leads:bulk")}"' in html
    assert 'name="next" value="/leads/?stage=new"' in html
    assert f'<option value="{team_a.user(Role.AGENT).pk}">' in html
    assert str(team_a.user(Role.VIEWER).pk) not in html
    assert str(team_b.user(Role.AGENT).pk) not in html
    assert '<option value="tour_scheduled">Tour scheduled</option>' in html
    assert 'name="action" value="assign"' in html
    assert 'name="action" value="stage"' in html


def test_the_bulk_bar_renders_nothing_for_agents(team_a: TeamWorld) -> None:
    assert bulk_bar_for(team_a, Role.AGENT).strip() == ""
