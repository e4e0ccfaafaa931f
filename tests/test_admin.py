from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from crm.leads.models import Lead, LeadActivity, Task, Tour
from crm.leads.services.activity import record
from crm.properties.models import Property, PropertyAgent, Unit
from crm.teams.roles import Role
from tests.conftest import TeamWorld, login
from tests.factories import LeadFactory, PropertyFactory, UnitFactory, UserFactory


@pytest.fixture
def operator(db: None) -> Client:
    return login(UserFactory(email="ops@loriaa.test", is_staff=True, is_superuser=True))


@pytest.fixture
def world(team_a: TeamWorld) -> dict[str, Any]:
    """A property with units and an agent slot, and a lead with a timeline, a tour and a task."""
    agent = team_a.user(Role.AGENT)
    with scopes_disabled():
        prop = PropertyFactory(team=team_a.team, name="Alpha Flats", city="Austin", sms_number="+15125550123")
        units = [UnitFactory(property=prop, number=number) for number in ("101", "102")]
        PropertyAgent.objects.create(team=team_a.team, property=prop, user=agent)
        lead = LeadFactory(
            team=team_a.team,
            first_name="Dana",
            last_name="Reyes",
            email="dana@example.com",
            phone="+15125550100",
            property=prop,
            assigned_to=agent,
        )
        for n in range(3):
            record(lead=lead, kind="note", summary=f"Note number {n}", actor=agent)
        starts = timezone.now() + timedelta(days=1)
        Tour.objects.create(
            team=team_a.team,
            lead=lead,
            property=prop,
            agent=agent,
            starts_at=starts,
            ends_at=starts + timedelta(minutes=30),
            busy_until=starts + timedelta(minutes=45),
        )
        Task.objects.create(team=team_a.team, lead=lead, title="Call Dana back", due_at=starts, assigned_to=agent)
    return {"property": prop, "units": units, "lead": lead, "agent": agent}


def changelist(model: type[Any]) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")


def change(obj: Any) -> str:
    return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])


def add(model: type[Any]) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_add")


@pytest.mark.parametrize("model", [Lead, Property, Unit])
def test_an_operator_loads_each_changelist_and_add_page(operator: Client, world: dict[str, Any], model: Any) -> None:
    assert operator.get(changelist(model)).status_code == 200
    assert operator.get(add(model)).status_code == 200


def test_an_operator_opens_a_lead_with_its_timeline_tours_and_tasks_read_only(
    operator: Client, world: dict[str, Any]
) -> None:
    response = operator.get(change(world["lead"]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Note number 2" in body
    assert "Call Dana back" in body
    assert "Alpha Flats" in body
    # Shown, not editable: no inputs for the rows.
    assert 'name="activities-0-summary"' not in body
    assert 'name="tasks-0-title"' not in body
    assert 'name="tours-0-starts_at"' not in body


def test_the_lead_page_shows_only_the_latest_activities_and_costs_the_same_queries(
    operator: Client, world: dict[str, Any]
) -> None:
    lead = world["lead"]
    with CaptureQueriesContext(connection) as few:
        operator.get(change(lead))
    with scopes_disabled():
        for n in range(3, 30):
            record(lead=lead, kind="note", summary=f"Note number {n}", actor=world["agent"])
    with CaptureQueriesContext(connection) as many:
        body = operator.get(change(lead)).content.decode()
    assert len(many) == len(few)
    shown = re.findall(r"Note number (\d+)", body)
    assert sorted(set(map(int, shown))) == list(range(10, 30))  # the latest 20


def test_an_operator_opens_a_property_and_a_unit(operator: Client, world: dict[str, Any]) -> None:
    body = operator.get(change(world["property"])).content.decode()
    assert 'value="101"' in body  # the unit inline
    assert str(world["agent"]) in body  # the round-robin inline
    assert operator.get(change(world["units"][0])).status_code == 200


@pytest.mark.parametrize("term", ["reyes", "DANA@example", "5125550100", "(512) 555-0100"])
def test_searching_leads_finds_them_by_name_email_or_phone(operator: Client, world: dict[str, Any], term: str) -> None:
    with scopes_disabled():
        LeadFactory(team=world["lead"].team, first_name="Other", last_name="Person", phone="+17375550111")
    response = operator.get(changelist(Lead), {"q": term})
    assert response.context["cl"].result_count == 1
    assert list(response.context["cl"].result_list) == [world["lead"]]


def test_searching_properties_and_units(operator: Client, world: dict[str, Any], team_b: TeamWorld) -> None:
    with scopes_disabled():
        PropertyFactory(team=team_b.team, name="Bravo Lofts", city="Dallas")
    assert [p.name for p in operator.get(changelist(Property), {"q": "austin"}).context["cl"].result_list] == [
        "Alpha Flats"
    ]
    assert [p.name for p in operator.get(changelist(Property), {"q": "bravo"}).context["cl"].result_list] == [
        "Bravo Lofts"
    ]
    units = operator.get(changelist(Unit), {"q": "102"}).context["cl"].result_list
    assert [u.number for u in units] == ["102"]


def test_the_lead_changelist_costs_the_same_queries_for_3_and_30_leads(
    operator: Client, world: dict[str, Any], team_b: TeamWorld
) -> None:
    def more_leads(count: int) -> None:
        with scopes_disabled():
            prop = PropertyFactory(team=team_b.team)
            LeadFactory.create_batch(count, team=team_b.team, property=prop, assigned_to=team_b.user(Role.AGENT))

    more_leads(2)
    with CaptureQueriesContext(connection) as few:
        assert operator.get(changelist(Lead)).context["cl"].result_count == 3
    more_leads(27)
    with CaptureQueriesContext(connection) as many:
        assert operator.get(changelist(Lead)).context["cl"].result_count == 30
    # One more property in the "by property" filter is a row, not a query.
    assert len(many) == len(few)


def test_the_lead_changelist_filters_by_stage_source_property_and_team(
    operator: Client, world: dict[str, Any], team_b: TeamWorld
) -> None:
    with scopes_disabled():
        LeadFactory(team=team_b.team, stage="toured", source="zillow")
    lead = world["lead"]
    for query in [
        {"stage__exact": "new"},
        {"source__exact": "website"},
        {"property__id__exact": str(world["property"].pk)},
        {"team__id__exact": str(lead.team_id)},
    ]:
        assert list(operator.get(changelist(Lead), query).context["cl"].result_list) == [lead], query


def lead_post_data(lead: Lead, **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "first_name": lead.first_name,
        "last_name": lead.last_name,
        "email": lead.email,
        "phone": lead.phone,
        "stage": lead.stage,
        "lost_reason": lead.lost_reason,
        "property": str(lead.property_id or ""),
        "assigned_to": str(lead.assigned_to_id or ""),
        "source": lead.source,
        "source_detail": "",
        "desired_beds": "",
        "budget_min": "",
        "budget_max": "",
        "move_in_date": "",
        "pets": "",
        "notes": "",
        "merged_into": "",
    }
    with scopes_disabled():
        counts = {
            "activities": min(LeadActivity.objects.filter(lead=lead).count(), 20),
            "tours": Tour.objects.filter(lead=lead).count(),
            "tasks": Task.objects.filter(lead=lead).count(),
        }
    for prefix, count in counts.items():
        data |= {f"{prefix}-TOTAL_FORMS": count, f"{prefix}-INITIAL_FORMS": count}
    return data | changes


def test_an_operator_edits_a_lead_and_its_phone_is_stored_in_e164(operator: Client, world: dict[str, Any]) -> None:
    lead = world["lead"]
    response = operator.post(change(lead), lead_post_data(lead, phone="(512) 555-0199", email="Dana@Example.COM"))
    assert response.status_code == 302, response.context["adminform"].form.errors
    with scopes_disabled():
        lead.refresh_from_db()
    assert (lead.phone, lead.email) == ("+15125550199", "dana@example.com")


def test_a_lead_cannot_be_linked_to_another_teams_property_or_people(
    operator: Client, world: dict[str, Any], team_b: TeamWorld
) -> None:
    with scopes_disabled():
        theirs = PropertyFactory(team=team_b.team)
    lead = world["lead"]
    response = operator.post(
        change(lead), lead_post_data(lead, property=str(theirs.pk), assigned_to=str(team_b.user(Role.AGENT).pk))
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "another team" in str(errors["property"])
    assert "not a member" in str(errors["assigned_to"])


def test_units_added_on_a_property_page_join_the_property_team(operator: Client, team_a: TeamWorld) -> None:
    data = {
        "team": str(team_a.team.pk),
        "name": "New Tower",
        "timezone": "America/Chicago",
        "office_hours": '{"mon": [["09:00", "17:00"]]}',
        "closed_dates": "[]",
        "tour_minutes": 30,
        "tour_buffer_minutes": 15,
        "is_active": "on",
        "units-TOTAL_FORMS": 1,
        "units-INITIAL_FORMS": 0,
        "units-0-number": "1A",
        "units-0-beds": 1,
        "units-0-baths": "1.0",
        "units-0-status": "available",
        "agents-TOTAL_FORMS": 1,
        "agents-INITIAL_FORMS": 0,
        "agents-0-user": str(team_a.user(Role.AGENT).pk),
        "agents-0-is_active": "on",
    }
    response = operator.post(add(Property), data)
    assert response.status_code == 302, [
        *response.context["adminform"].form.errors.items(),
        *[fs.formset.errors for fs in response.context["inline_admin_formsets"]],
    ]
    with scopes_disabled():
        prop = Property.objects.get(name="New Tower")
        assert [(u.number, u.team_id) for u in prop.units.all()] == [("1A", team_a.team.pk)]
        assert [(a.user_id, a.team_id) for a in prop.agents.all()] == [(team_a.user(Role.AGENT).pk, team_a.team.pk)]


def test_a_round_robin_agent_must_be_a_member_of_the_property_team(
    operator: Client, world: dict[str, Any], team_b: TeamWorld
) -> None:
    prop = world["property"]
    with scopes_disabled():
        slot = PropertyAgent.objects.get(property=prop)
    data = {
        "name": prop.name,
        "timezone": prop.timezone,
        "office_hours": '{"mon": [["09:00", "17:00"]]}',
        "closed_dates": "[]",
        "tour_minutes": 30,
        "tour_buffer_minutes": 15,
        "is_active": "on",
        "units-TOTAL_FORMS": 0,
        "units-INITIAL_FORMS": 0,
        "agents-TOTAL_FORMS": 2,
        "agents-INITIAL_FORMS": 1,
        "agents-0-id": str(slot.pk),
        "agents-0-property": str(prop.pk),
        "agents-0-user": str(slot.user_id),
        "agents-0-is_active": "on",
        "agents-1-user": str(team_b.user(Role.AGENT).pk),
        "agents-1-is_active": "on",
    }
    response = operator.post(change(prop), data)
    assert response.status_code == 200
    assert "not a member of the property" in response.content.decode()


def test_a_unit_added_on_its_own_joins_its_property_team(operator: Client, world: dict[str, Any]) -> None:
    prop = world["property"]
    data = {"property": str(prop.pk), "number": "303", "beds": 3, "baths": "2.0", "status": "available"}
    assert operator.post(add(Unit), data).status_code == 302
    with scopes_disabled():
        assert Unit.objects.get(number="303").team_id == prop.team_id


def test_team_members_who_are_not_staff_cannot_open_the_lead_admin(team_a: TeamWorld) -> None:
    response = login(team_a.user(Role.OWNER)).get(changelist(Lead))
    assert response.status_code == 302
    assert "login" in response["Location"]
