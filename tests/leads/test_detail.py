"""The guest card page and its writes: edit, stage, assign, notes, delete, merge and undo."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from crm.leads.models import ActivityKind, Lead, LeadActivity, LeadMerge, Stage
from crm.leads.services.followups import task_create
from crm.leads.services.leads import lead_add_note
from crm.leads.services.merges import lead_merge
from crm.leads.services.tours import tour_schedule
from crm.properties.models import Property
from crm.teams.roles import Role
from crm.teams.scoping import team_scope
from tests.conftest import TeamWorld, login
from tests.leads.lead_pages import (
    HTMX,
    make_lead,
    open_day,
    reload,
    summaries,
    triggers,
    url,
)

# --- The page -------------------------------------------------------------------------------


def test_the_guest_card_shows_the_lead_the_timeline_and_the_conversations_placeholder(
    team_a: TeamWorld, ada: Lead
) -> None:
    response = login(team_a.user(Role.AGENT)).get(url("detail", ada))

    assert response.status_code == 200
    body = response.content.decode()
    assert "<h1>Ada Lovelace</h1>" in body
    assert "Lead created from Website" in body
    assert "Texts and emails with this lead will appear here." in body
    assert f'action="{url("update", ada)}"' in body
    assert f'action="{url("stage", ada)}"' in body
    assert 'value="+15125550100"' in body
    assert "times in America/Los_Angeles" in body


def test_a_viewer_sees_the_guest_card_read_only(team_a: TeamWorld, ada: Lead) -> None:
    body = login(team_a.user(Role.VIEWER)).get(url("detail", ada)).content.decode()

    assert "Ada Lovelace" in body
    assert "read-only" in body
    for name in ("update", "stage", "assign", "note", "task-add", "tour-add", "delete"):
        assert url(name, ada) not in body, name


def test_agents_do_not_see_manager_actions(team_a: TeamWorld, ada: Lead) -> None:
    body = login(team_a.user(Role.AGENT)).get(url("detail", ada)).content.decode()
    assert url("delete", ada) not in body
    assert url("merge", ada) not in body


def test_another_teams_lead_is_not_found(team_a: TeamWorld, bravo_lead: Lead) -> None:
    client = login(team_a.user(Role.OWNER))
    assert client.get(url("detail", bravo_lead)).status_code == 404
    for name in ("update", "stage", "assign", "note", "delete", "merge", "tour-add"):
        assert client.post(url(name, bravo_lead), {"stage": "lost", "text": "x"}).status_code == 404, name
    assert client.get(url("tour-add", bravo_lead)).status_code == 404
    assert "Brenda" not in summaries(team_a, bravo_lead)


def test_anonymous_visitors_are_sent_to_log_in(ada: Lead) -> None:
    response = Client().get(url("detail", ada))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_a_merged_leads_address_leads_to_its_primary(team_a: TeamWorld, ada: Lead) -> None:
    twin = make_lead(team_a, first_name="Ada", last_name="L.", phone="+15125550199")
    with team_scope(team_a.team):
        lead_merge(primary=ada, duplicate=twin)

    client = login(team_a.user(Role.AGENT))
    response = client.get(url("detail", twin))

    assert response.status_code == 302
    assert response["Location"] == url("detail", ada)
    assert "Ada L. was merged into Ada Lovelace." in client.get(response["Location"]).content.decode()
    assert client.post(url("stage", twin), {"stage": "contacted"}).status_code == 404


def test_a_panel_is_served_alone_to_htmx(team_a: TeamWorld, ada: Lead) -> None:
    response = login(team_a.user(Role.AGENT)).get(url("detail", ada) + "?panel=timeline", **HTMX)
    body = response.content.decode()
    assert response.status_code == 200
    assert 'id="lead-timeline"' in body
    assert "<html" not in body
    assert "Guest card" not in body


def test_the_timeline_is_newest_first_and_shows_more_on_request(team_a: TeamWorld, ada: Lead) -> None:
    with team_scope(team_a.team):
        for number in range(30):
            lead_add_note(lead=ada, text=f"Note number {number}")
    client = login(team_a.user(Role.AGENT))

    body = client.get(url("detail", ada)).content.decode()
    assert body.index("Note number 29") < body.index("Note number 28")
    assert "Note number 5" in body
    assert "Note number 4" not in body
    assert "Show older activity" in body

    more = client.get(url("detail", ada) + "?panel=timeline&shown=75", **HTMX).content.decode()
    assert "Note number 0" in more
    assert "Lead created" in more
    assert "Show older activity" not in more


def test_the_score_and_its_factors_are_shown_when_present(team_a: TeamWorld, ada: Lead) -> None:
    with team_scope(team_a.team):
        Lead.objects.filter(pk=ada.pk).update(
            score=82,
            score_factors=[{"label": "Asked for a tour", "points": 20}, "Replied within an hour"],
            score_explanation="Engaged and ready to move.",
        )
    body = login(team_a.user(Role.VIEWER)).get(url("detail", ada)).content.decode()
    assert "Score 82" in body
    assert "Asked for a tour" in body
    assert "+20" in body
    assert "Replied within an hour" in body
    assert "Engaged and ready to move." in body


def test_tasks_on_the_page_are_shown_in_the_propertys_time_zone(team_a: TeamWorld, ada: Lead) -> None:
    due = datetime(2031, 1, 15, 18, 30, tzinfo=timezone.get_default_timezone())  # 10:30 AM in Los Angeles
    with team_scope(team_a.team):
        task_create(lead=ada, title="Call about parking", due_at=due)
    body = login(team_a.user(Role.AGENT)).get(url("detail", ada)).content.decode()
    assert "Wed Jan 15, 10:30 AM PST" in body
    assert 'datetime="2031-01-15T10:30:00-08:00"' in body


# --- Editing the guest card -------------------------------------------------------------------


def card_data(**changes: Any) -> dict[str, Any]:
    data = {
        "first_name": "Ada",
        "last_name": "Lovelace",
        "email": "ada@example.com",
        "phone": "(512) 555-0100",
        "source": "website",
        "source_detail": "",
        "property": "",
        "desired_beds": "2",
        "budget_min": "1400",
        "budget_max": "1900",
        "move_in_date": "2031-03-01",
        "pets": "One cat",
        "notes": "Works nights.",
    }
    return {**data, **changes}


def test_saving_the_guest_card_updates_the_lead_and_refreshes_the_page(team_a: TeamWorld, ada: Lead) -> None:
    response = login(team_a.user(Role.AGENT)).post(
        url("update", ada), card_data(phone="512.555.0177", property=str(ada.property_id)), **HTMX
    )

    assert response.status_code == 200
    assert 'id="lead-card"' in response.content.decode()
    events = triggers(response)
    assert {"lead-summary-changed", "lead-timeline-changed", "lead-duplicates-changed"} <= set(events)
    assert events["toasts"][0]["level"] == "success"
    lead = reload(team_a, ada)
    assert (lead.phone, lead.desired_beds, lead.budget_max, lead.pets) == ("+15125550177", 2, 1900, "One cat")
    assert lead.move_in_date == date(2031, 3, 1)
    assert summaries(team_a, ada)[0].startswith("Updated ")


def test_saving_without_htmx_returns_to_the_page(team_a: TeamWorld, ada: Lead) -> None:
    response = login(team_a.user(Role.AGENT)).post(url("update", ada), card_data(pets="Two dogs"))
    assert response.status_code == 302
    assert response["Location"].startswith(url("detail", ada))


def test_an_invalid_phone_is_refused_and_nothing_typed_is_lost(team_a: TeamWorld, ada: Lead) -> None:
    response = login(team_a.user(Role.AGENT)).post(
        url("update", ada), card_data(phone="555-01", pets="Three parrots"), **HTMX
    )

    assert response.status_code == 422
    body = response.content.decode()
    assert "is not a valid phone number" in body
    assert 'value="555-01"' in body
    assert 'value="Three parrots"' in body
    assert reload(team_a, ada).pets == ""


def test_another_leads_email_is_refused_with_a_hint_to_merge(team_a: TeamWorld, ada: Lead) -> None:
    make_lead(team_a, first_name="Grace", last_name="Hopper", email="grace@example.com")
    response = login(team_a.user(Role.AGENT)).post(url("update", ada), card_data(email="grace@example.com"))

    assert response.status_code == 422
    body = response.content.decode()
    assert "Grace Hopper already has this email. Merge the two leads instead." in body
    assert "<html" in body, "without htmx the whole page comes back with the errors"
    assert reload(team_a, ada).email == "ada@example.com"


def test_a_viewer_cannot_edit_a_lead(team_a: TeamWorld, ada: Lead) -> None:
    response = login(team_a.user(Role.VIEWER)).post(url("update", ada), card_data(first_name="Eve"))
    assert response.status_code == 403
    assert reload(team_a, ada).first_name == "Ada"


def test_the_edit_address_only_accepts_posts(team_a: TeamWorld, ada: Lead) -> None:
    assert login(team_a.user(Role.AGENT)).get(url("update", ada)).status_code == 405


# --- Stage, assignee and notes ------------------------------------------------------------------


def test_an_agent_moves_a_lead_to_another_stage(team_a: TeamWorld, ada: Lead) -> None:
    response = login(team_a.user(Role.AGENT)).post(url("stage", ada), {"stage": "contacted"}, **HTMX)

    assert response.status_code == 200
    assert 'id="lead-summary"' in response.content.decode()
    assert "lead-timeline-changed" in triggers(response)
    assert reload(team_a, ada).stage == Stage.CONTACTED
    assert summaries(team_a, ada)[0] == "Moved from New to Contacted"


def test_a_viewer_cannot_move_a_lead(team_a: TeamWorld, ada: Lead) -> None:
    response = login(team_a.user(Role.VIEWER)).post(url("stage", ada), {"stage": "leased"})
    assert response.status_code == 403
    assert reload(team_a, ada).stage == Stage.NEW


def test_an_unknown_stage_is_refused(team_a: TeamWorld, ada: Lead) -> None:
    response = login(team_a.user(Role.AGENT)).post(url("stage", ada), {"stage": "signed"}, **HTMX)
    assert response.status_code == 422
    assert "Select a valid choice" in response.content.decode()
    assert reload(team_a, ada).stage == Stage.NEW


def test_a_lost_lead_keeps_its_reason(team_a: TeamWorld, ada: Lead) -> None:
    response = login(team_a.user(Role.AGENT)).post(url("stage", ada), {"stage": "lost", "lost_reason": "price"})
    assert response.status_code == 302
    lead = reload(team_a, ada)
    assert (lead.stage, lead.lost_reason) == (Stage.LOST, "price")


def test_an_agent_assigns_and_unassigns_a_lead(team_a: TeamWorld, ada: Lead) -> None:
    client = login(team_a.user(Role.AGENT))
    manager = team_a.user(Role.MANAGER)

    response = client.post(url("assign", ada), {"assigned_to": str(manager.pk)}, **HTMX)
    assert response.status_code == 200
    assert reload(team_a, ada).assigned_to == manager
    assert summaries(team_a, ada)[0] == f"Assigned to {manager.display_name}"

    client.post(url("assign", ada), {"assigned_to": ""}, **HTMX)
    assert reload(team_a, ada).assigned_to is None


def test_a_lead_cannot_be_assigned_to_a_viewer_or_an_outsider(team_a: TeamWorld, team_b: TeamWorld, ada: Lead) -> None:
    client = login(team_a.user(Role.AGENT))
    for user in (team_a.user(Role.VIEWER), team_b.user(Role.AGENT)):
        response = client.post(url("assign", ada), {"assigned_to": str(user.pk)}, **HTMX)
        assert response.status_code == 422
    assert reload(team_a, ada).assigned_to is None


def test_a_viewer_cannot_assign_a_lead(team_a: TeamWorld, ada: Lead) -> None:
    response = login(team_a.user(Role.VIEWER)).post(url("assign", ada), {"assigned_to": ""})
    assert response.status_code == 403


def test_a_note_lands_on_the_timeline(team_a: TeamWorld, ada: Lead) -> None:
    response = login(team_a.user(Role.AGENT)).post(url("note", ada), {"text": "Wants a view of the park."}, **HTMX)

    assert response.status_code == 200
    assert 'id="lead-note-form"' in response.content.decode()
    assert "lead-timeline-changed" in triggers(response)
    with team_scope(team_a.team):
        note = LeadActivity.objects.filter(lead=ada).first()
    assert (note.kind, note.data["text"], note.actor) == (
        ActivityKind.NOTE,
        "Wants a view of the park.",
        team_a.user(Role.AGENT),
    )


def test_an_empty_note_is_refused(team_a: TeamWorld, ada: Lead) -> None:
    response = login(team_a.user(Role.AGENT)).post(url("note", ada), {"text": "  "}, **HTMX)
    assert response.status_code == 422
    assert "This field is required." in response.content.decode()


def test_a_viewer_cannot_add_a_note(team_a: TeamWorld, ada: Lead) -> None:
    assert login(team_a.user(Role.VIEWER)).post(url("note", ada), {"text": "Hi"}).status_code == 403


# --- Delete ---------------------------------------------------------------------------------------


def test_a_manager_deletes_a_lead(team_a: TeamWorld, ada: Lead) -> None:
    response = login(team_a.user(Role.MANAGER)).post(url("delete", ada))
    assert response.status_code == 302
    assert response["Location"] == reverse("leads:index")
    with team_scope(team_a.team):
        assert not Lead.objects.filter(pk=ada.pk).exists()


def test_deleting_through_htmx_sends_the_page_to_the_leads(team_a: TeamWorld, ada: Lead) -> None:
    response = login(team_a.user(Role.MANAGER)).post(url("delete", ada), **HTMX)
    assert response.status_code == 204
    assert response["HX-Redirect"] == reverse("leads:index")


def test_an_agent_cannot_delete_a_lead(team_a: TeamWorld, ada: Lead) -> None:
    assert login(team_a.user(Role.AGENT)).post(url("delete", ada)).status_code == 403
    assert reload(team_a, ada)


# --- Duplicates and merges -------------------------------------------------------------------------


@pytest.fixture
def twin(team_a: TeamWorld) -> Lead:
    twin = make_lead(team_a, first_name="ada", last_name="LOVELACE", phone="+15125550188", source="zillow")
    with team_scope(team_a.team):
        lead_add_note(lead=twin, text="Saw the Zillow listing")
    return twin


def test_the_page_lists_possible_duplicates_with_a_merge_button_for_managers(
    team_a: TeamWorld, ada: Lead, twin: Lead
) -> None:
    body = login(team_a.user(Role.MANAGER)).get(url("detail", ada)).content.decode()
    assert "Possible duplicates" in body
    assert f'href="{url("detail", twin)}"' in body
    assert "Same name" in body
    assert f'name="duplicate" value="{twin.pk}"' in body


def test_a_manager_merges_a_duplicate_and_both_timelines_show(team_a: TeamWorld, ada: Lead, twin: Lead) -> None:
    client = login(team_a.user(Role.MANAGER))

    response = client.post(url("merge", ada), {"duplicate": str(twin.pk)})

    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "Saw the Zillow listing" in page
    assert "Lead created from Website" in page
    assert "Merged <strong>ada LOVELACE</strong> into this lead" in page
    with team_scope(team_a.team):
        merge = LeadMerge.objects.get()
    assert f'action="{url("merge-undo", merge)}"' in page
    assert reload(team_a, twin).merged_into_id == ada.pk


def test_undoing_a_merge_gives_each_lead_its_history_back(team_a: TeamWorld, ada: Lead, twin: Lead) -> None:
    client = login(team_a.user(Role.MANAGER))
    client.post(url("merge", ada), {"duplicate": str(twin.pk)})
    with team_scope(team_a.team):
        merge = LeadMerge.objects.get()

    response = client.post(url("merge-undo", merge))

    assert response.status_code == 302
    assert reload(team_a, twin).merged_into is None
    assert "Saw the Zillow listing" in summaries(team_a, twin)
    assert "Saw the Zillow listing" not in summaries(team_a, ada)
    assert client.get(url("detail", twin)).status_code == 200

    again = client.post(url("merge-undo", merge))
    assert again.status_code == 422
    assert "already undone" in again.content.decode()


def test_an_agent_cannot_merge_or_undo(team_a: TeamWorld, ada: Lead, twin: Lead) -> None:
    agent = login(team_a.user(Role.AGENT))
    assert agent.post(url("merge", ada), {"duplicate": str(twin.pk)}).status_code == 403
    with team_scope(team_a.team):
        merge = lead_merge(primary=ada, duplicate=twin)
    assert agent.post(url("merge-undo", merge)).status_code == 403
    assert reload(team_a, twin).merged_into_id == ada.pk


def test_another_teams_lead_cannot_be_merged_in(team_a: TeamWorld, ada: Lead, bravo_lead: Lead) -> None:
    response = login(team_a.user(Role.OWNER)).post(url("merge", ada), {"duplicate": str(bravo_lead.pk)})
    assert response.status_code == 404
    assert reload(team_a, ada).merged_into is None
    with team_scope(bravo_lead.team):
        assert Lead.objects.get(pk=bravo_lead.pk).merged_into is None


def test_another_teams_merge_cannot_be_undone(team_a: TeamWorld, team_b: TeamWorld, bravo_lead: Lead) -> None:
    other = make_lead(team_b, first_name="Brenda", phone="+15125550111")
    with team_scope(team_b.team):
        merge = lead_merge(primary=bravo_lead, duplicate=other)
    assert login(team_a.user(Role.OWNER)).post(url("merge-undo", merge)).status_code == 404
    with team_scope(team_b.team):
        merge.refresh_from_db()
    assert merge.undone_at is None


@pytest.mark.parametrize("duplicate", ["", "not-a-uuid", "self"])
def test_a_merge_without_a_proper_duplicate_is_refused(team_a: TeamWorld, ada: Lead, duplicate: str) -> None:
    value = str(ada.pk) if duplicate == "self" else duplicate
    response = login(team_a.user(Role.MANAGER)).post(url("merge", ada), {"duplicate": value})
    assert response.status_code == 422
    with team_scope(team_a.team):
        assert not LeadMerge.objects.exists()


def test_the_page_costs_the_same_queries_however_much_history_the_lead_has(
    team_a: TeamWorld, ada: Lead, place: Property
) -> None:
    client = login(team_a.user(Role.MANAGER))

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url("detail", ada)).status_code == 200
        return len(captured)

    queries()  # the first request also settles the session's current team
    before = queries()
    with team_scope(team_a.team):
        for number in range(10):
            lead_add_note(lead=ada, text=f"Note {number}")
            task_create(lead=ada, title=f"Task {number}", due_at=timezone.now() + timedelta(days=number - 3))
            make_lead(team_a, first_name="Ada", last_name="Lovelace", email=f"ada{number}@example.com")
        for hour in (10, 12, 14):
            tour_schedule(
                lead=ada,
                property=place,
                agent=team_a.user(Role.AGENT),
                starts_at=datetime.combine(open_day(place), time(hour), place.tz),
            )
    assert queries() == before
