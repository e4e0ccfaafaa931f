"""Lead services: dedupe on create, updates, stages, round-robin, tours, tasks, merges and undo."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from crm.leads.models import ActivityKind, Lead, LeadActivity, Source, Stage, Task, Tour, TourStatus
from crm.leads.services.followups import task_complete, task_create, task_reopen
from crm.leads.services.leads import (
    lead_add_note,
    lead_assign,
    lead_create,
    lead_delete,
    lead_move_stage,
    lead_update,
    next_agent_for,
)
from crm.leads.services.merges import lead_merge, lead_merge_undo
from crm.leads.services.tours import available_slots, tour_schedule, tour_set_status
from crm.properties.models import Property, PropertyAgent
from crm.teams.models import Team
from crm.teams.roles import Role
from crm.teams.scoping import team_scope
from tests.conftest import TeamWorld
from tests.factories import LeadFactory, MembershipFactory, PropertyFactory, UserFactory


@pytest.fixture
def team(team_a: TeamWorld) -> Iterator[Team]:
    with team_scope(team_a.team):
        yield team_a.team


def create(team: Team, **data: Any) -> tuple[Lead, bool]:
    return lead_create(team=team, data=data)


def kinds(lead: Lead) -> list[str]:
    return list(LeadActivity.objects.filter(lead=lead).values_list("kind", flat=True))


def open_day(prop: Property, weekday: int = 0, weeks_ahead: int = 1) -> date:
    """A date at least a few days ahead, on ``weekday`` (Monday is 0), in the property's zone."""
    day = timezone.localtime(timezone.now(), prop.tz).date() + timedelta(days=3)
    day += timedelta(days=(weekday - day.weekday()) % 7 + 7 * (weeks_ahead - 1))
    return day


def local(prop: Property, day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), prop.tz)


# --- lead_create and deduplication ----------------------------------------------------------


def test_a_phone_typed_two_ways_is_one_lead(team: Team) -> None:
    first, created = create(team, first_name="Ada", phone="(512) 555-0100", source=Source.WEBSITE)
    again, created_again = create(team, first_name="Ada", phone="+15125550100", source=Source.ZILLOW)

    assert created
    assert not created_again
    assert again.pk == first.pk
    assert Lead.objects.count() == 1
    assert again.phone == "+15125550100"
    assert again.source == Source.WEBSITE, "the first touch is what the source reports count"
    assert kinds(first) == [ActivityKind.DUPLICATE_SUBMITTED, ActivityKind.CREATED]


def test_an_email_in_another_case_is_the_same_lead(team: Team) -> None:
    first, _ = create(team, email="Ada.Lovelace@Example.com")
    again, created = create(team, email="ada.lovelace@example.COM", first_name="Ada")

    assert not created
    assert again.pk == first.pk
    again.refresh_from_db()
    assert again.email == "ada.lovelace@example.com"
    assert again.first_name == "Ada", "a repeat submission fills in what it brings"


def test_the_same_contact_in_another_team_is_a_different_lead(team: Team, team_b: TeamWorld) -> None:
    create(team, email="ada@example.com")
    with team_scope(team_b.team):
        _, created = lead_create(team=team_b.team, data={"email": "ada@example.com"})
    assert created


def test_add_anyway_creates_a_separate_lead_and_names_the_match(team: Team) -> None:
    first, _ = create(team, first_name="Ada", email="ada@example.com")
    second, created = lead_create(
        team=team, data={"first_name": "Ada", "email": "ada@example.com"}, allow_duplicate=True
    )

    assert created
    assert second.pk != first.pk
    entry = second.activities.get()
    assert "kept apart from Ada" in entry.summary
    assert entry.data["duplicate_of"] == str(first.pk)


def test_a_lead_needs_a_name_an_email_or_a_phone(team: Team) -> None:
    with pytest.raises(ValidationError) as exc:
        create(team, source=Source.PHONE)
    assert "__all__" in exc.value.error_dict


def test_an_invalid_phone_is_refused_on_its_field(team: Team) -> None:
    with pytest.raises(ValidationError) as exc:
        create(team, first_name="Ada", phone="12")
    assert "phone" in exc.value.error_dict


def test_a_new_lead_for_a_property_goes_to_its_next_agent(team: Team, team_a: TeamWorld) -> None:
    prop = PropertyFactory(team=team)
    PropertyAgent.objects.create(team=team, property=prop, user=team_a.user(Role.AGENT))
    lead, _ = create(team, first_name="Ada", property=prop)
    assert lead.assigned_to == team_a.user(Role.AGENT)


# --- lead_update ---------------------------------------------------------------------------------


def test_an_update_records_what_changed(team: Team) -> None:
    lead, _ = create(team, first_name="Ada", email="ada@example.com")
    lead_update(lead=lead, data={"first_name": "Augusta", "phone": "512-555-0101", "budget_max": 1800})

    lead.refresh_from_db()
    assert (lead.first_name, lead.phone, lead.budget_max) == ("Augusta", "+15125550101", 1800)
    entry = lead.activities.first()
    assert entry.kind == ActivityKind.UPDATED
    assert entry.data["changed"]["first_name"] == ["Ada", "Augusta"]


def test_an_update_without_changes_writes_nothing(team: Team) -> None:
    lead, _ = create(team, first_name="Ada", phone="+15125550100")
    lead_update(lead=lead, data={"first_name": "Ada", "phone": "(512) 555-0100"})
    assert kinds(lead) == [ActivityKind.CREATED]


def test_taking_another_leads_email_is_refused(team: Team) -> None:
    create(team, first_name="Grace", email="grace@example.com")
    lead, _ = create(team, first_name="Ada", email="ada@example.com")
    with pytest.raises(ValidationError) as exc:
        lead_update(lead=lead, data={"email": "GRACE@example.com"})
    assert "Grace already has this email" in exc.value.error_dict["email"][0].message


def test_a_lead_kept_apart_on_purpose_stays_editable(team: Team) -> None:
    create(team, first_name="Ada", email="ada@example.com")
    twin, _ = lead_create(team=team, data={"first_name": "Ada", "email": "ada@example.com"}, allow_duplicate=True)
    lead_update(lead=twin, data={"email": "ada@example.com", "pets": "A cat"})
    twin.refresh_from_db()
    assert twin.pets == "A cat"


def test_a_budget_whose_top_is_below_its_bottom_is_refused(team: Team) -> None:
    lead, _ = create(team, first_name="Ada")
    with pytest.raises(ValidationError) as exc:
        lead_update(lead=lead, data={"budget_min": 2000, "budget_max": 1500})
    assert "budget_max" in exc.value.error_dict


# --- stages, assignment and notes ---------------------------------------------------------------


def test_moving_a_lead_records_the_move(team: Team) -> None:
    lead, _ = create(team, first_name="Ada")
    lead_move_stage(lead=lead, stage=Stage.CONTACTED)
    lead.refresh_from_db()
    assert lead.stage == Stage.CONTACTED
    assert lead.activities.first().summary == "Moved from New to Contacted"


def test_a_lost_lead_always_has_a_reason(team: Team) -> None:
    lead, _ = create(team, first_name="Ada")
    lead_move_stage(lead=lead, stage=Stage.LOST)
    assert lead.lost_reason == "other"
    lead_move_stage(lead=lead, stage=Stage.LOST, lost_reason="price")
    assert lead.lost_reason == "price"
    lead_move_stage(lead=lead, stage=Stage.NEW)
    assert lead.lost_reason == ""


def test_an_unknown_stage_is_refused(team: Team) -> None:
    lead, _ = create(team, first_name="Ada")
    with pytest.raises(ValidationError):
        lead_move_stage(lead=lead, stage="signed")


def test_leads_are_assigned_only_to_people_who_work_them(team: Team, team_a: TeamWorld) -> None:
    lead, _ = create(team, first_name="Ada")
    with pytest.raises(ValidationError):
        lead_assign(lead=lead, user=team_a.user(Role.VIEWER))
    lead_assign(lead=lead, user=team_a.user(Role.AGENT))
    assert lead.activities.first().kind == ActivityKind.ASSIGNED


def test_an_outsider_cannot_be_assigned(team: Team, team_b: TeamWorld) -> None:
    lead, _ = create(team, first_name="Ada")
    with pytest.raises(ValidationError):
        lead_assign(lead=lead, user=team_b.user(Role.AGENT))


def test_round_robin_rotates_among_the_active_agents_of_a_property(team: Team, team_a: TeamWorld) -> None:
    prop = PropertyFactory(team=team)
    agent, manager, admin = team_a.user(Role.AGENT), team_a.user(Role.MANAGER), team_a.user(Role.ADMIN)
    for user in (agent, manager):
        PropertyAgent.objects.create(team=team, property=prop, user=user)
    PropertyAgent.objects.create(team=team, property=prop, user=admin, is_active=False)

    picked = [next_agent_for(prop) for _ in range(5)]

    assert picked == [agent, manager, agent, manager, agent]


def test_a_note_needs_text(team: Team) -> None:
    lead, _ = create(team, first_name="Ada")
    with pytest.raises(ValidationError):
        lead_add_note(lead=lead, text="   ")
    lead_add_note(lead=lead, text="Prefers a ground floor.")
    assert lead.activities.first().data["text"] == "Prefers a ground floor."


def test_deleting_a_lead_takes_the_leads_merged_into_it(team: Team) -> None:
    primary, _ = create(team, first_name="Ada", email="ada@example.com")
    twin, _ = create(team, first_name="Ada", phone="+15125550100")
    lead_merge(primary=primary, duplicate=twin)

    lead_delete(lead=primary)

    assert not Lead.objects.exists()


# --- tours --------------------------------------------------------------------------------------


@pytest.fixture
def la_property(team: Team) -> Property:
    # Office hours are 9:00 to 18:00 on weekdays where the property is: Los Angeles, not the server (UTC).
    return PropertyFactory(team=team, name="Pacific Flats", timezone="America/Los_Angeles")


@pytest.fixture
def lead(team: Team, la_property: Property) -> Lead:
    return create(team, first_name="Ada", email="ada@example.com", property=la_property)[0]


def test_office_hours_are_read_in_the_propertys_time_zone(lead: Lead, la_property: Property, team_a: TeamWorld) -> None:
    monday = open_day(la_property)
    agent = team_a.user(Role.AGENT)
    at_ten_utc = datetime.combine(monday, time(10), UTC)  # 3 AM in Los Angeles: closed
    with pytest.raises(ValidationError) as exc:
        tour_schedule(lead=lead, property=la_property, agent=agent, starts_at=at_ten_utc)
    assert "closed" in exc.value.error_dict["starts_at"][0].message

    tour = tour_schedule(lead=lead, property=la_property, agent=agent, starts_at=local(la_property, monday, 10))

    assert tour.starts_at.astimezone(UTC).hour in {17, 18}  # 10 AM in Los Angeles, summer or winter
    assert tour.ends_at - tour.starts_at == timedelta(minutes=30)


def test_a_naive_time_means_the_propertys_wall_clock(lead: Lead, la_property: Property, team_a: TeamWorld) -> None:
    monday = open_day(la_property)
    tour = tour_schedule(
        lead=lead, property=la_property, agent=team_a.user(Role.AGENT), starts_at=datetime.combine(monday, time(9))
    )
    assert timezone.localtime(tour.starts_at, la_property.tz).time() == time(9)


def test_a_tour_that_runs_past_closing_is_refused(lead: Lead, la_property: Property, team_a: TeamWorld) -> None:
    monday = open_day(la_property)
    with pytest.raises(ValidationError):
        tour_schedule(
            lead=lead, property=la_property, agent=team_a.user(Role.AGENT), starts_at=local(la_property, monday, 17, 45)
        )


def test_a_tour_on_a_closed_date_is_refused(lead: Lead, la_property: Property, team_a: TeamWorld) -> None:
    holiday = open_day(la_property)
    la_property.closed_dates = [holiday.isoformat()]
    la_property.save()
    with pytest.raises(ValidationError):
        tour_schedule(
            lead=lead, property=la_property, agent=team_a.user(Role.AGENT), starts_at=local(la_property, holiday, 11)
        )
    assert available_slots(property=la_property, agent=team_a.user(Role.AGENT), day=holiday) == []


def test_a_tour_in_the_past_is_refused(lead: Lead, la_property: Property, team_a: TeamWorld) -> None:
    with pytest.raises(ValidationError):
        tour_schedule(
            lead=lead,
            property=la_property,
            agent=team_a.user(Role.AGENT),
            starts_at=timezone.now() - timedelta(days=7),
        )


def test_an_agent_cannot_give_two_tours_at_once(
    lead: Lead, la_property: Property, team: Team, team_a: TeamWorld
) -> None:
    monday = open_day(la_property)
    agent = team_a.user(Role.AGENT)
    tour_schedule(lead=lead, property=la_property, agent=agent, starts_at=local(la_property, monday, 10))
    other, _ = create(team, first_name="Grace", email="grace@example.com")

    with pytest.raises(ValidationError) as exc:
        tour_schedule(lead=other, property=la_property, agent=agent, starts_at=local(la_property, monday, 10, 15))
    assert "already has a tour" in exc.value.error_dict["agent"][0].message

    # Another agent is free at that time.
    tour_schedule(
        lead=other, property=la_property, agent=team_a.user(Role.MANAGER), starts_at=local(la_property, monday, 10, 15)
    )


def test_the_database_refuses_overlapping_tours_that_skip_the_service(
    lead: Lead, la_property: Property, team: Team, team_a: TeamWorld
) -> None:
    monday = open_day(la_property)
    agent = team_a.user(Role.AGENT)
    first = tour_schedule(lead=lead, property=la_property, agent=agent, starts_at=local(la_property, monday, 10))

    with pytest.raises(IntegrityError), transaction.atomic():
        Tour.objects.create(
            team=team,
            lead=lead,
            property=la_property,
            agent=agent,
            starts_at=first.starts_at + timedelta(minutes=20),
            ends_at=first.starts_at + timedelta(minutes=50),
            busy_until=first.starts_at + timedelta(minutes=65),
        )

    # A cancelled tour no longer holds the agent's time.
    tour_set_status(tour=first, status=TourStatus.CANCELLED)
    Tour.objects.create(
        team=team,
        lead=lead,
        property=la_property,
        agent=agent,
        starts_at=first.starts_at,
        ends_at=first.ends_at,
        busy_until=first.busy_until,
    )


def test_the_buffer_keeps_the_agent_free_after_and_before_a_tour(
    lead: Lead, la_property: Property, team: Team, team_a: TeamWorld
) -> None:
    monday = open_day(la_property)
    agent = team_a.user(Role.AGENT)
    tour_schedule(lead=lead, property=la_property, agent=agent, starts_at=local(la_property, monday, 10))
    other, _ = create(team, first_name="Grace", email="grace@example.com")

    # 10:00 + 30 minutes + a 15 minute buffer: 10:30 is taken, 10:45 is free.
    with pytest.raises(ValidationError):
        tour_schedule(lead=other, property=la_property, agent=agent, starts_at=local(la_property, monday, 10, 30))
    # A tour ending at 10:00 would leave no buffer before the next one.
    with pytest.raises(ValidationError):
        tour_schedule(lead=other, property=la_property, agent=agent, starts_at=local(la_property, monday, 9, 30))
    tour_schedule(lead=other, property=la_property, agent=agent, starts_at=local(la_property, monday, 10, 45))

    slots = available_slots(property=la_property, agent=agent, day=monday)
    starts = [timezone.localtime(s, la_property.tz).time() for s in slots]
    assert starts[0] == time(9)
    assert time(9, 30) not in starts
    assert time(10, 30) not in starts
    assert time(11, 30) in starts
    assert starts[-1] == time(17, 30), "the last tour must end by closing time"


def test_booking_a_tour_moves_the_lead_on_and_sets_a_reminder(
    lead: Lead, la_property: Property, team_a: TeamWorld
) -> None:
    agent = team_a.user(Role.AGENT)
    tour = tour_schedule(
        lead=lead, property=la_property, agent=agent, starts_at=local(la_property, open_day(la_property), 11)
    )
    lead.refresh_from_db()
    assert lead.stage == Stage.TOUR_SCHEDULED
    reminder = tour.reminders.get()
    assert reminder.assigned_to == agent
    assert lead.next_follow_up_at == reminder.due_at

    tour_set_status(tour=tour, status=TourStatus.COMPLETED)
    lead.refresh_from_db()
    assert lead.stage == Stage.TOURED
    assert tour.reminders.get().completed_at is not None


# --- tasks --------------------------------------------------------------------------------------


def test_tasks_set_and_clear_the_next_follow_up(team: Team, team_a: TeamWorld) -> None:
    lead, _ = create(team, first_name="Ada")
    soon, later = timezone.now() + timedelta(hours=2), timezone.now() + timedelta(days=2)
    first = task_create(lead=lead, title="Call back", due_at=soon, actor=team_a.user(Role.AGENT))
    task_create(lead=lead, title="Send floor plans", due_at=later, actor=team_a.user(Role.AGENT))
    assert lead.next_follow_up_at == soon
    assert first.assigned_to == team_a.user(Role.AGENT), "with nobody on the lead, the author owns the task"

    task_complete(task=first)
    lead.refresh_from_db()
    assert lead.next_follow_up_at == later
    assert lead.activities.first().summary == "Done: Call back"

    task_reopen(task=first)
    lead.refresh_from_db()
    assert lead.next_follow_up_at == soon


def test_a_task_needs_a_title_and_someone_who_works_leads(team: Team, team_a: TeamWorld) -> None:
    lead, _ = create(team, first_name="Ada")
    due = timezone.now() + timedelta(days=1)
    with pytest.raises(ValidationError):
        task_create(lead=lead, title="  ", due_at=due)
    with pytest.raises(ValidationError):
        task_create(lead=lead, title="Call", due_at=due, assigned_to=team_a.user(Role.VIEWER))


def test_completing_a_task_twice_changes_nothing_more(team: Team) -> None:
    lead, _ = create(team, first_name="Ada")
    task = task_create(lead=lead, title="Call", due_at=timezone.now())
    task_complete(task=task)
    done_at = task.completed_at
    task_complete(task=task)
    assert task.completed_at == done_at
    assert lead.activities.filter(summary="Done: Call").count() == 1


def test_a_task_is_overdue_only_while_open_and_past_due(team: Team) -> None:
    lead, _ = create(team, first_name="Ada")
    task = task_create(lead=lead, title="Call", due_at=timezone.now() - timedelta(minutes=1))
    assert task.is_overdue
    task_complete(task=task)
    assert not task.is_overdue


# --- merges -------------------------------------------------------------------------------------


def test_a_merge_keeps_both_timelines_and_can_be_undone(team: Team, team_a: TeamWorld) -> None:
    agent = team_a.user(Role.AGENT)
    primary, _ = create(team, first_name="Ada", email="ada@example.com")
    duplicate, _ = create(team, first_name="Ada", last_name="Lovelace", phone="(512) 555-0100", pets="A cat")
    lead_add_note(lead=primary, text="Called from the website form")
    lead_add_note(lead=duplicate, text="Walked in on Saturday")
    task = task_create(lead=duplicate, title="Send the pet policy", due_at=timezone.now() + timedelta(days=1))
    duplicate_history = set(LeadActivity.objects.filter(lead=duplicate).values_list("pk", flat=True))

    merge = lead_merge(primary=primary, duplicate=duplicate, actor=agent)

    primary.refresh_from_db()
    duplicate.refresh_from_db()
    summaries = list(primary.activities.values_list("summary", flat=True))
    assert "Called from the website form" in summaries
    assert "Walked in on Saturday" in summaries
    assert summaries[0] == "Merged Ada Lovelace into this lead"
    assert duplicate_history <= set(primary.activities.values_list("pk", flat=True))
    assert (primary.last_name, primary.phone, primary.pets) == ("Lovelace", "+15125550100", "A cat")
    assert primary.email == "ada@example.com", "the primary's own values win"
    assert list(primary.tasks.all()) == [task]
    assert primary.next_follow_up_at == task.due_at
    assert duplicate.merged_into == primary
    assert list(Lead.objects.active()) == [primary]

    lead_merge_undo(merge=merge, actor=agent)

    primary.refresh_from_db()
    duplicate.refresh_from_db()
    assert duplicate.merged_into is None
    assert set(duplicate.activities.values_list("pk", flat=True)) == duplicate_history
    assert "Walked in on Saturday" not in primary.activities.values_list("summary", flat=True)
    assert primary.activities.first().kind == ActivityKind.UNMERGED
    assert (primary.last_name, primary.phone, primary.pets) == ("", "", "")
    assert list(duplicate.tasks.all()) == [task]
    assert primary.next_follow_up_at is None
    assert duplicate.next_follow_up_at == task.due_at
    merge.refresh_from_db()
    assert merge.undone_at is not None


def test_a_merge_cannot_be_undone_twice(team: Team) -> None:
    primary, _ = create(team, first_name="Ada")
    duplicate, _ = create(team, first_name="Ada", phone="+15125550100")
    merge = lead_merge(primary=primary, duplicate=duplicate)
    lead_merge_undo(merge=merge)
    with pytest.raises(ValidationError):
        lead_merge_undo(merge=merge)


def test_a_lead_cannot_be_merged_into_itself_or_twice(team: Team) -> None:
    primary, _ = create(team, first_name="Ada")
    duplicate, _ = create(team, first_name="Ada", phone="+15125550100")
    with pytest.raises(ValidationError):
        lead_merge(primary=primary, duplicate=primary)
    lead_merge(primary=primary, duplicate=duplicate)
    with pytest.raises(ValidationError):
        lead_merge(primary=primary, duplicate=duplicate)
    with pytest.raises(ValidationError):
        lead_merge(primary=duplicate, duplicate=primary)


def test_merged_tours_and_tasks_follow_the_primary(team: Team, la_property: Property, team_a: TeamWorld) -> None:
    primary, _ = create(team, first_name="Ada", email="ada@example.com", property=la_property)
    duplicate = LeadFactory(team=team, first_name="Ada", email="", phone="+15125550100", property=la_property)
    tour = tour_schedule(
        lead=duplicate,
        property=la_property,
        agent=team_a.user(Role.AGENT),
        starts_at=local(la_property, open_day(la_property), 14),
    )
    lead_merge(primary=primary, duplicate=duplicate)
    tour.refresh_from_db()
    assert tour.lead == primary
    assert Task.objects.get(tour=tour).lead == primary


def test_a_member_of_two_teams_is_assignable_only_where_they_work(team: Team, team_b: TeamWorld) -> None:
    person = UserFactory()
    with team_scope(team_b.team):
        MembershipFactory(team=team_b.team, user=person, role=Role.AGENT)
    MembershipFactory(team=team, user=person, role=Role.VIEWER)
    lead, _ = create(team, first_name="Ada")
    with pytest.raises(ValidationError):
        lead_assign(lead=lead, user=person)
