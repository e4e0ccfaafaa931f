from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled
from rest_framework import serializers
from rest_framework.renderers import JSONRenderer
from rest_framework.test import APIClient

from api.leads import LeadSerializer
from crm.leads.models import ActivityKind, Lead, LeadActivity, Stage
from crm.leads.services.leads import lead_create
from crm.leads.services.merges import lead_merge
from crm.properties.models import Property
from crm.teams.roles import Role
from crm.teams.scoping import team_scope
from tests.conftest import TeamWorld, api_client_for
from tests.factories import LeadFactory, PropertyFactory

LIST = reverse("api:lead-list")


def detail(lead: Lead) -> str:
    return reverse("api:lead-detail", kwargs={"pk": lead.pk})


def activities(lead: Lead) -> str:
    return reverse("api:lead-activities", kwargs={"pk": lead.pk})


def as_role(world: TeamWorld, role: str = Role.AGENT) -> APIClient:
    return api_client_for(world.membership(role))


def timeline(lead: Lead) -> list[tuple[str, str]]:
    with team_scope(lead.team):
        return list(LeadActivity.objects.filter(lead=lead).order_by("created_at").values_list("kind", "summary"))


@pytest.fixture
def property_a(team_a: TeamWorld) -> Property:
    with team_scope(team_a.team):
        return PropertyFactory(team=team_a.team, name="Alpha Flats")


@pytest.fixture
def property_b(team_b: TeamWorld) -> Property:
    with team_scope(team_b.team):
        return PropertyFactory(team=team_b.team, name="Bravo Lofts")


def make_lead(world: TeamWorld, **fields: Any) -> Lead:
    with team_scope(world.team):
        return LeadFactory(team=world.team, **fields)


# --- Create ------------------------------------------------------------------------------------


def test_an_agent_adds_a_lead_and_gets_201_with_its_fields(team_a: TeamWorld, property_a: Property) -> None:
    response = as_role(team_a).post(
        LIST,
        {
            "first_name": " Dana ",
            "last_name": "Reyes",
            "email": "Dana.Reyes@Example.com",
            "phone": "(512) 555-0100",
            "source": "zillow",
            "property": str(property_a.pk),
            "desired_beds": 2,
            "budget_max": 1800,
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["first_name"] == "Dana"
    assert body["email"] == "dana.reyes@example.com"
    assert body["phone"] == "+15125550100"
    assert body["source"] == "zillow"
    assert body["stage"] == "new"
    assert body["property"] == str(property_a.pk)
    assert body["score"] is None
    assert {"id", "created_at", "updated_at", "last_activity_at", "score_factors", "next_follow_up_at"} <= set(body)
    with team_scope(team_a.team):
        lead = Lead.objects.get(pk=body["id"])
    assert timeline(lead)[0][0] == ActivityKind.CREATED
    assert "(api)" in timeline(lead)[0][1]


def test_a_post_matching_a_leads_email_returns_that_lead_with_200_and_merges_new_details(team_a: TeamWorld) -> None:
    client = as_role(team_a)
    first = client.post(LIST, {"first_name": "Dana", "email": "dana@example.com", "source": "zillow"}, format="json")
    again = client.post(
        LIST,
        {"first_name": "", "last_name": "Reyes", "email": "DANA@example.com", "source": "facebook", "pets": "cat"},
        format="json",
    )
    assert first.status_code == 201
    assert again.status_code == 200
    body = again.json()
    assert body["id"] == first.json()["id"]
    assert (body["first_name"], body["last_name"], body["pets"]) == ("Dana", "Reyes", "cat")
    assert body["source"] == "zillow"  # the first touch is kept
    with team_scope(team_a.team):
        assert Lead.objects.count() == 1
        lead = Lead.objects.get()
    kinds = [kind for kind, _ in timeline(lead)]
    assert kinds == [ActivityKind.CREATED, ActivityKind.DUPLICATE_SUBMITTED]


def test_a_post_matching_a_leads_phone_in_another_format_is_the_same_lead(team_a: TeamWorld) -> None:
    client = as_role(team_a)
    first = client.post(LIST, {"first_name": "Sam", "phone": "+15125550142"}, format="json").json()
    again = client.post(LIST, {"phone": "512.555.0142", "email": "sam@example.com"}, format="json")
    assert again.status_code == 200
    assert again.json()["id"] == first["id"]
    assert again.json()["email"] == "sam@example.com"


def test_a_repeat_submission_leaves_the_stage_and_assignee_as_the_team_set_them(team_a: TeamWorld) -> None:
    client = as_role(team_a)
    lead_id = client.post(LIST, {"email": "kim@example.com", "stage": "toured"}, format="json").json()["id"]
    again = client.post(
        LIST,
        {"email": "kim@example.com", "stage": "new", "assigned_to": str(team_a.user(Role.AGENT).pk)},
        format="json",
    )
    assert again.status_code == 200
    assert again.json()["id"] == lead_id
    assert (again.json()["stage"], again.json()["assigned_to"]) == ("toured", None)


def test_a_new_lead_posted_with_a_stage_and_assignee_gets_them_on_its_timeline(team_a: TeamWorld) -> None:
    agent = team_a.user(Role.AGENT)
    response = as_role(team_a, Role.MANAGER).post(
        LIST,
        {"first_name": "Lee", "stage": "lost", "lost_reason": "price", "assigned_to": str(agent.pk)},
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["stage"], body["lost_reason"], body["assigned_to"]) == ("lost", "price", str(agent.pk))
    with team_scope(team_a.team):
        lead = Lead.objects.get(pk=body["id"])
    assert [kind for kind, _ in timeline(lead)] == [
        ActivityKind.CREATED,
        ActivityKind.STAGE_CHANGED,
        ActivityKind.ASSIGNED,
    ]


def test_a_lead_with_no_name_email_or_phone_is_a_400(team_a: TeamWorld) -> None:
    response = as_role(team_a).post(LIST, {"notes": "who?"}, format="json")
    assert response.status_code == 400
    assert response.json() == {"non_field_errors": ["A lead needs a name, an email or a phone number."]}


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"first_name": "A", "email": "not-an-email"}, "email"),
        ({"first_name": "A", "phone": "12"}, "phone"),
        ({"first_name": "A", "stage": "interested"}, "stage"),
        ({"first_name": "A", "source": "carrier-pigeon"}, "source"),
        ({"first_name": "A", "budget_min": 2000, "budget_max": 1000}, "budget_max"),
        ({"first_name": "A", "desired_beds": -1}, "desired_beds"),
        ({"first_name": "A", "move_in_date": "next week"}, "move_in_date"),
        ({"first_name": "A", "lost_reason": "price"}, "lost_reason"),
        ({"first_name": "A", "property": "not-a-uuid"}, "property"),
        ({"first_name": "A" * 81}, "first_name"),
    ],
)
def test_invalid_input_is_a_400_naming_the_field(team_a: TeamWorld, payload: dict[str, Any], field: str) -> None:
    response = as_role(team_a).post(LIST, payload, format="json")
    assert response.status_code == 400
    assert field in response.json(), response.json()
    with team_scope(team_a.team):
        assert not Lead.objects.exists()


def test_another_teams_property_is_a_400_worded_like_an_unknown_one(team_a: TeamWorld, property_b: Property) -> None:
    client = as_role(team_a)
    theirs = client.post(LIST, {"first_name": "A", "property": str(property_b.pk)}, format="json")
    unknown = client.post(LIST, {"first_name": "A", "property": "0190c6b4-0000-7000-8000-000000000000"}, format="json")
    assert theirs.status_code == unknown.status_code == 400
    assert theirs.json() == unknown.json() == {"property": ["Property not found."]}


def test_assigning_to_anyone_but_an_agent_or_above_of_the_team_is_a_400_that_reveals_nothing(
    team_a: TeamWorld, team_b: TeamWorld
) -> None:
    client = as_role(team_a)
    lead = make_lead(team_a)
    answers = [
        client.patch(detail(lead), {"assigned_to": str(user_id)}, format="json")
        for user_id in [team_b.user(Role.OWNER).pk, team_a.user(Role.VIEWER).pk, "0190c6b4-0000-7000-8000-000000000000"]
    ]
    assert {response.status_code for response in answers} == {400}
    assert {str(response.json()) for response in answers} == {
        str({"assigned_to": ["Not an agent, manager, admin or owner of this team."]})
    }


# --- Read --------------------------------------------------------------------------------------


def test_a_viewer_lists_and_reads_leads_with_their_fields(team_a: TeamWorld, property_a: Property) -> None:
    lead = make_lead(team_a, first_name="Ana", property=property_a, score=72, assigned_to=team_a.user(Role.AGENT))
    client = as_role(team_a, Role.VIEWER)
    listed = client.get(LIST)
    assert listed.status_code == 200
    assert [row["id"] for row in listed.json()["results"]] == [str(lead.pk)]
    body = client.get(detail(lead)).json()
    assert body["first_name"] == "Ana"
    assert body["property"] == str(property_a.pk)
    assert body["assigned_to"] == str(team_a.user(Role.AGENT).pk)
    assert body["score"] == 72


def test_the_list_shows_only_the_teams_leads(team_a: TeamWorld, team_b: TeamWorld) -> None:
    mine = make_lead(team_a)
    make_lead(team_b, first_name="Bravo-only")
    response = as_role(team_a).get(LIST)
    assert [row["id"] for row in response.json()["results"]] == [str(mine.pk)]
    assert "Bravo-only" not in response.content.decode()


def test_another_teams_lead_is_a_404_for_every_method(team_a: TeamWorld, team_b: TeamWorld) -> None:
    theirs = make_lead(team_b)
    client = as_role(team_a, Role.OWNER)
    assert client.get(detail(theirs)).status_code == 404
    assert client.patch(detail(theirs), {"first_name": "X"}, format="json").status_code == 404
    assert client.delete(detail(theirs)).status_code == 404
    assert client.get(activities(theirs)).status_code == 404
    with team_scope(team_b.team):
        assert Lead.objects.get(pk=theirs.pk).first_name != "X"


def test_a_malformed_id_is_a_json_404_and_no_credentials_a_401(team_a: TeamWorld) -> None:
    response = as_role(team_a).get(LIST + "not-a-uuid/")
    assert response.status_code == 404
    assert response.json() == {"detail": "Page not found"}
    assert APIClient().get(LIST).status_code in {401, 403}


def test_merged_leads_are_left_out_of_the_list_and_404_on_their_own(team_a: TeamWorld) -> None:
    with team_scope(team_a.team):
        primary, _ = lead_create(team=team_a.team, data={"first_name": "Pat", "email": "pat@example.com"})
        duplicate, _ = lead_create(team=team_a.team, data={"first_name": "Patricia", "phone": "+15125550177"})
        lead_merge(primary=primary, duplicate=duplicate)
    client = as_role(team_a)
    assert [row["id"] for row in client.get(LIST).json()["results"]] == [str(primary.pk)]
    assert client.get(detail(duplicate)).status_code == 404
    assert client.patch(detail(duplicate), {"notes": "x"}, format="json").status_code == 404


# --- Filters -----------------------------------------------------------------------------------


@pytest.fixture
def filtered(team_a: TeamWorld, property_a: Property) -> dict[str, Lead]:
    with team_scope(team_a.team):
        other_property = PropertyFactory(team=team_a.team, name="Alpha Gardens")
    agent, manager = team_a.user(Role.AGENT), team_a.user(Role.MANAGER)
    return {
        "dana": make_lead(
            team_a,
            first_name="Dana",
            last_name="Reyes",
            email="dana@example.com",
            phone="+15125550100",
            stage=Stage.TOURED,
            source="zillow",
            property=property_a,
            assigned_to=agent,
        ),
        "sam": make_lead(
            team_a,
            first_name="Sam",
            last_name="Ortiz",
            email="sam.ortiz@mail.test",
            phone="+17375550111",
            stage=Stage.NEW,
            source="website",
            property=other_property,
            assigned_to=manager,
        ),
        "kim": make_lead(
            team_a,
            first_name="Kim",
            last_name="Lee",
            email="kim@example.com",
            phone="+12145550122",
            stage=Stage.NEW,
            source="zillow",
            property=None,
            assigned_to=None,
            score=80,
        ),
    }


def names(response: Any) -> set[str]:
    assert response.status_code == 200, response.json()
    return {row["first_name"] for row in response.json()["results"]}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"stage": "new"}, {"Sam", "Kim"}),
        ({"source": "zillow"}, {"Dana", "Kim"}),
        ({"assigned_to": "me"}, {"Dana"}),  # the caller is the agent
        ({"assigned_to": "none"}, {"Kim"}),
        ({"q": "reyes"}, {"Dana"}),
        ({"q": "ORTIZ@MAIL"}, {"Sam"}),
        ({"q": "5125550100"}, {"Dana"}),  # digits match the stored +15125550100
        ({"q": "(214) 555-0122"}, {"Kim"}),
        ({"stage": "new", "source": "zillow"}, {"Kim"}),
        ({"score_min": 75}, {"Kim"}),
        ({"q": "nobody-like-this"}, set()),
    ],
)
def test_leads_filter_by_query(
    team_a: TeamWorld, filtered: dict[str, Lead], query: dict[str, str], expected: set[str]
) -> None:
    assert names(as_role(team_a).get(LIST, query)) == expected


def test_leads_filter_by_property_and_by_assignee_id(
    team_a: TeamWorld, filtered: dict[str, Lead], property_a: Property, property_b: Property
) -> None:
    client = as_role(team_a)
    assert names(client.get(LIST, {"property": str(property_a.pk)})) == {"Dana"}
    assert names(client.get(LIST, {"property": str(property_b.pk)})) == set()
    assert names(client.get(LIST, {"assigned_to": str(team_a.user(Role.MANAGER).pk)})) == {"Sam"}


@pytest.mark.parametrize(
    "query",
    [
        {"stage": "interested"},
        {"source": "fax"},
        {"property": "12"},
        {"assigned_to": "someone"},
        {"q": "x" * 101},
        {"score_min": "high"},
    ],
)
def test_an_unusable_filter_is_a_400_not_a_silently_unfiltered_list(team_a: TeamWorld, query: dict[str, str]) -> None:
    response = as_role(team_a).get(LIST, query)
    assert response.status_code == 400
    assert set(response.json()) == set(query)


# --- Pagination and query counts ---------------------------------------------------------------


def make_leads(world: TeamWorld, count: int, **fields: Any) -> list[Lead]:
    """``count`` leads created a second apart, newest last."""
    start = timezone.now() - timedelta(days=1)
    with scopes_disabled():
        leads = LeadFactory.create_batch(count, team=world.team, **fields)
        for index, lead in enumerate(leads):
            Lead.objects.filter(pk=lead.pk).update(created_at=start + timedelta(seconds=index))
    return leads


def test_pages_walk_every_lead_once_newest_first_and_back(team_a: TeamWorld) -> None:
    leads = make_leads(team_a, 7)
    client = as_role(team_a)
    seen: list[str] = []
    url: str | None = LIST + "?page_size=3"
    pages = []
    while url:
        body = client.get(url).json()
        assert body["page_size"] == 3
        assert "count" not in body
        seen += [row["id"] for row in body["results"]]
        pages.append(body)
        url = body["next"]
    assert seen == [str(lead.pk) for lead in reversed(leads)]
    assert [len(page["results"]) for page in pages] == [3, 3, 1]
    assert pages[0]["previous"] is None
    back = client.get(pages[2]["previous"]).json()
    assert back["results"] == pages[1]["results"]
    assert client.get(back["previous"]).json()["results"] == pages[0]["results"]
    assert client.get(back["previous"]).json()["previous"] is None


def test_leads_created_in_the_same_instant_are_neither_skipped_nor_repeated(team_a: TeamWorld) -> None:
    leads = make_leads(team_a, 5)
    with scopes_disabled():
        Lead.objects.filter(pk__in=[lead.pk for lead in leads]).update(created_at=timezone.now())
    client = as_role(team_a)
    first = client.get(LIST, {"page_size": 2}).json()
    second = client.get(first["next"]).json()
    third = client.get(second["next"]).json()
    ids = [row["id"] for page in (first, second, third) for row in page["results"]]
    assert sorted(ids) == sorted(str(lead.pk) for lead in leads)
    assert third["next"] is None


def test_page_size_is_capped_at_200_and_nonsense_falls_back_to_50(team_a: TeamWorld) -> None:
    make_leads(team_a, 201)
    client = as_role(team_a)
    capped = client.get(LIST, {"page_size": 1000}).json()
    assert capped["page_size"] == 200
    assert len(capped["results"]) == 200
    assert capped["next"] is not None
    assert client.get(LIST, {"page_size": "lots"}).json()["page_size"] == 50
    assert client.get(LIST, {"page_size": 0}).json()["page_size"] == 50


def test_a_tampered_cursor_is_a_404(team_a: TeamWorld) -> None:
    response = as_role(team_a).get(LIST, {"cursor": "bm90LWEtY3Vyc29y"})
    assert response.status_code == 404
    assert response.json() == {"detail": "Invalid cursor."}


def test_listing_50_leads_costs_the_same_queries_as_listing_5(team_a: TeamWorld, property_a: Property) -> None:
    client = as_role(team_a)
    client.get(LIST)  # the token's first use writes last_used_at; measure after that
    agent = team_a.user(Role.AGENT)
    make_leads(team_a, 5, property=property_a, assigned_to=agent)
    with CaptureQueriesContext(connection) as few:
        assert len(client.get(LIST).json()["results"]) == 5
    make_leads(team_a, 45, property=property_a, assigned_to=agent)
    with CaptureQueriesContext(connection) as many:
        assert len(client.get(LIST).json()["results"]) == 50
    assert len(many) == len(few)
    lead_queries = [q["sql"] for q in many.captured_queries if '"leads_lead"' in q["sql"]]
    assert len(lead_queries) == 1
    assert "COUNT(" not in lead_queries[0].upper()


# --- Change and delete -------------------------------------------------------------------------


def test_patch_updates_fields_moves_the_stage_and_assigns_each_on_the_timeline(
    team_a: TeamWorld, property_a: Property
) -> None:
    lead = make_lead(team_a, first_name="Ana", email="ana@example.com", phone="")
    agent = team_a.user(Role.AGENT)
    response = as_role(team_a).patch(
        detail(lead),
        {
            "phone": "512-555-0199",
            "property": str(property_a.pk),
            "stage": "lost",
            "lost_reason": "price",
            "assigned_to": str(agent.pk),
        },
        format="json",
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["phone"] == "+15125550199"
    assert body["property"] == str(property_a.pk)
    assert (body["stage"], body["lost_reason"], body["assigned_to"]) == ("lost", "price", str(agent.pk))
    assert body["first_name"] == "Ana"  # untouched
    assert [kind for kind, _ in timeline(lead)] == [
        ActivityKind.UPDATED,
        ActivityKind.STAGE_CHANGED,
        ActivityKind.ASSIGNED,
    ]


def test_patch_can_unassign_and_clear_the_property(team_a: TeamWorld, property_a: Property) -> None:
    lead = make_lead(team_a, property=property_a, assigned_to=team_a.user(Role.AGENT))
    body = as_role(team_a).patch(detail(lead), {"assigned_to": None, "property": None}, format="json").json()
    assert (body["assigned_to"], body["property"]) == (None, None)


def test_patch_to_another_leads_email_is_a_400_and_changes_nothing(team_a: TeamWorld) -> None:
    make_lead(team_a, email="taken@example.com")
    lead = make_lead(team_a, email="mine@example.com", stage=Stage.NEW)
    response = as_role(team_a).patch(detail(lead), {"email": "taken@example.com", "stage": "contacted"}, format="json")
    assert response.status_code == 400
    assert "email" in response.json()
    lead.refresh_from_db()
    assert (lead.email, lead.stage) == ("mine@example.com", Stage.NEW)


def test_read_only_fields_are_ignored_on_patch(team_a: TeamWorld) -> None:
    lead = make_lead(team_a, score=10)
    body = as_role(team_a).patch(detail(lead), {"score": 99, "id": "x"}, format="json").json()
    assert (body["id"], body["score"]) == (str(lead.pk), 10)


def test_a_viewer_cannot_post_patch_or_delete(team_a: TeamWorld) -> None:
    lead = make_lead(team_a)
    client = as_role(team_a, Role.VIEWER)
    assert client.post(LIST, {"first_name": "A"}, format="json").status_code == 403
    assert client.patch(detail(lead), {"first_name": "B"}, format="json").status_code == 403
    assert client.delete(detail(lead)).status_code == 403


def test_an_agent_cannot_delete_a_lead_but_a_manager_can(team_a: TeamWorld) -> None:
    lead = make_lead(team_a)
    assert as_role(team_a, Role.AGENT).delete(detail(lead)).status_code == 403
    assert as_role(team_a, Role.MANAGER).delete(detail(lead)).status_code == 204
    with team_scope(team_a.team):
        assert not Lead.objects.filter(pk=lead.pk).exists()


def test_put_is_not_offered(team_a: TeamWorld) -> None:
    lead = make_lead(team_a)
    assert as_role(team_a).put(detail(lead), {"first_name": "A"}, format="json").status_code == 405


# --- Timeline ----------------------------------------------------------------------------------


def test_the_timeline_is_newest_first_with_the_actor(team_a: TeamWorld) -> None:
    client = as_role(team_a)
    lead_id = client.post(LIST, {"first_name": "Ana"}, format="json").json()["id"]
    client.patch(reverse("api:lead-detail", kwargs={"pk": lead_id}), {"stage": "contacted"}, format="json")
    response = as_role(team_a, Role.VIEWER).get(reverse("api:lead-activities", kwargs={"pk": lead_id}))
    assert response.status_code == 200
    rows = response.json()["results"]
    assert [row["kind"] for row in rows] == ["stage_changed", "created"]
    agent = team_a.user(Role.AGENT)
    assert rows[0]["actor"] == {"id": str(agent.pk), "name": agent.display_name}
    assert rows[0]["summary"] == "Moved from New to Contacted"
    assert rows[0]["data"] == {"from": "new", "to": "contacted", "lost_reason": ""}
    assert set(rows[0]) == {"id", "kind", "summary", "actor", "data", "created_at"}


def test_the_timeline_pages_without_extra_queries_per_row(team_a: TeamWorld) -> None:
    client = as_role(team_a)
    lead_id = client.post(LIST, {"first_name": "Ana"}, format="json").json()["id"]
    url = reverse("api:lead-activities", kwargs={"pk": lead_id})
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for stage in ["contacted", "toured", "applied", "leased"]:
        client.patch(reverse("api:lead-detail", kwargs={"pk": lead_id}), {"stage": stage}, format="json")
    with CaptureQueriesContext(connection) as many:
        body = client.get(url, {"page_size": 2}).json()
    assert len(body["results"]) == 2
    assert len(many) == len(few)
    second = client.get(body["next"]).json()
    third = client.get(second["next"]).json()
    assert [len(page["results"]) for page in (second, third)] == [2, 1]  # five entries in all
    assert third["next"] is None


# --- The hand-written representation -------------------------------------------------------------


@pytest.mark.parametrize("filled", [True, False], ids=["every-field-set", "optional-fields-empty"])
def test_the_fast_lead_output_is_exactly_what_drfs_generic_path_gives(
    team_a: TeamWorld, property_a: Property, filled: bool
) -> None:
    fields: dict[str, Any] = {"property": None, "assigned_to": None, "phone": ""}
    if filled:
        fields = {
            "property": property_a,
            "assigned_to": team_a.user(Role.AGENT),
            "stage": Stage.LOST,
            "lost_reason": "price",
            "desired_beds": 2,
            "budget_min": 1200,
            "budget_max": 1800,
            "move_in_date": date(2026, 3, 1),
            "pets": "dog",
            "notes": "Prefers a top floor",
            "score": 81,
            "score_factors": [{"factor": "budget", "weight": 0.4}],
            "next_follow_up_at": timezone.now() + timedelta(days=2),
        }
    lead = make_lead(team_a, **fields)
    lead.refresh_from_db()
    serializer = LeadSerializer()
    with team_scope(team_a.team):
        generic = serializers.ModelSerializer.to_representation(serializer, lead)
    fast = serializer.to_representation(lead)
    assert list(fast) == list(generic)  # same fields, same order
    assert json.loads(JSONRenderer().render(fast)) == json.loads(JSONRenderer().render(generic))
