"""Tasks: adding one on a guest card, ticking it off and reopening it, and the "my tasks" page."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from crm.leads.models import Lead, Task, TaskKind
from crm.leads.services.followups import task_complete, task_create
from crm.leads.services.leads import lead_create
from crm.leads.views.tasks import group_tasks
from crm.properties.models import Property
from crm.teams.roles import Role
from crm.teams.scoping import team_scope
from tests.conftest import TeamWorld, login

HTMX = {"HTTP_HX_REQUEST": "true"}
MY_TASKS = reverse("leads:my-tasks")


def make_lead(world: TeamWorld, **data: Any) -> Lead:
    with team_scope(world.team):
        return lead_create(team=world.team, data={"first_name": "Ada", "last_name": "Lovelace", **data})[0]


def make_task(world: TeamWorld, lead: Lead | None, title: str, due: timedelta, role: str = Role.AGENT) -> Task:
    with team_scope(world.team):
        return task_create(
            lead=lead, title=title, due_at=timezone.now() + due, assigned_to=world.user(role), team_id=world.team.pk
        )


def reload(world: TeamWorld, task: Task) -> Task:
    with team_scope(world.team):
        return Task.objects.get(pk=task.pk)


# --- Adding a task on the guest card ---------------------------------------------------------


def test_an_agent_adds_a_task_due_on_the_propertys_clock(team_a: TeamWorld, ada: Lead) -> None:
    agent = team_a.user(Role.AGENT)
    response = login(agent).post(
        reverse("leads:task-add", kwargs={"lead_id": ada.pk}),
        {"title": "Send the pet policy", "due_at": "2031-01-15T10:30", "kind": "email", "assigned_to": ""},
        **HTMX,
    )

    assert response.status_code == 200
    assert 'id="lead-task-form"' in response.content.decode()
    events = json.loads(response["HX-Trigger"])
    assert {"lead-tasks-changed", "lead-timeline-changed", "lead-summary-changed"} <= set(events)
    with team_scope(team_a.team):
        task = Task.objects.get()
        ada.refresh_from_db()
    assert task.due_at == datetime(2031, 1, 15, 18, 30, tzinfo=UTC), "10:30 in Los Angeles"
    assert (task.title, task.kind, task.assigned_to, task.created_by) == ("Send the pet policy", "email", agent, agent)
    assert ada.next_follow_up_at == task.due_at


def test_adding_a_task_without_htmx_returns_to_the_tasks(team_a: TeamWorld, ada: Lead) -> None:
    manager = team_a.user(Role.MANAGER)
    response = login(team_a.user(Role.AGENT)).post(
        reverse("leads:task-add", kwargs={"lead_id": ada.pk}),
        {"title": "Call", "due_at": "2031-01-15T10:30", "kind": "call", "assigned_to": str(manager.pk)},
    )
    assert response.status_code == 302
    assert response["Location"].endswith("#lead-tasks")
    with team_scope(team_a.team):
        assert Task.objects.get().assigned_to == manager


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"title": ""}, "This field is required."),
        ({"due_at": "next tuesday"}, "Enter a valid date/time."),
        ({"kind": "fax"}, "Select a valid choice."),
        ({"assigned_to": "viewer"}, "Select a valid choice."),
    ],
)
def test_an_invalid_task_is_refused_and_the_input_kept(
    team_a: TeamWorld, ada: Lead, changes: dict[str, str], message: str
) -> None:
    data = {"title": "Call back", "due_at": "2031-01-15T10:30", "kind": "call", "assigned_to": "", **changes}
    if data["assigned_to"] == "viewer":
        data["assigned_to"] = str(team_a.user(Role.VIEWER).pk)
    response = login(team_a.user(Role.AGENT)).post(reverse("leads:task-add", kwargs={"lead_id": ada.pk}), data, **HTMX)

    assert response.status_code == 422
    body = response.content.decode()
    assert message in body
    if changes.get("title") is None:
        assert 'value="Call back"' in body
    with team_scope(team_a.team):
        assert not Task.objects.exists()


def test_a_viewer_cannot_add_a_task(team_a: TeamWorld, ada: Lead) -> None:
    response = login(team_a.user(Role.VIEWER)).post(
        reverse("leads:task-add", kwargs={"lead_id": ada.pk}),
        {"title": "Call", "due_at": "2031-01-15T10:30", "kind": "call"},
    )
    assert response.status_code == 403


def test_a_task_cannot_be_added_to_another_teams_lead(team_a: TeamWorld, team_b: TeamWorld) -> None:
    bravo = make_lead(team_b, email="brenda@example.org")
    response = login(team_a.user(Role.OWNER)).post(
        reverse("leads:task-add", kwargs={"lead_id": bravo.pk}),
        {"title": "Call", "due_at": "2031-01-15T10:30", "kind": "call"},
    )
    assert response.status_code == 404
    with team_scope(team_b.team):
        assert not Task.objects.exists()


# --- Done and reopen ---------------------------------------------------------------------------


def test_ticking_off_a_task_swaps_its_row_and_refreshes_the_card(team_a: TeamWorld, ada: Lead) -> None:
    task = make_task(team_a, ada, "Call back", timedelta(hours=-2))

    response = login(team_a.user(Role.AGENT)).post(
        reverse("leads:task-done", kwargs={"task_id": task.pk}), {"show_lead": "1"}, **HTMX
    )

    assert response.status_code == 200
    body = response.content.decode()
    assert f'id="task-{task.pk}"' in body
    assert "task-done" in body
    assert "Reopen" in body
    assert "Overdue" not in body
    assert f'href="/leads/{ada.pk}/"' in body, "the row keeps showing its lead where it did"
    assert "lead-timeline-changed" in json.loads(response["HX-Trigger"])
    assert reload(team_a, task).completed_at is not None


def test_ticking_off_without_htmx_goes_back_where_it_came_from(team_a: TeamWorld, ada: Lead) -> None:
    task = make_task(team_a, ada, "Call back", timedelta(hours=2))
    client = login(team_a.user(Role.AGENT))
    done = reverse("leads:task-done", kwargs={"task_id": task.pk})

    assert client.post(done, {"next": MY_TASKS})["Location"] == MY_TASKS
    reopen = reverse("leads:task-reopen", kwargs={"task_id": task.pk})
    response = client.post(reopen, {"next": "https://evil.example/phish"})
    assert response["Location"] == f"/leads/{ada.pk}/#lead-tasks", "only local addresses are followed"
    assert reload(team_a, task).completed_at is None


def test_reopening_a_task_puts_it_back_on_the_list(team_a: TeamWorld, ada: Lead) -> None:
    task = make_task(team_a, ada, "Call back", timedelta(hours=2))
    with team_scope(team_a.team):
        task_complete(task=task)

    response = login(team_a.user(Role.AGENT)).post(reverse("leads:task-reopen", kwargs={"task_id": task.pk}), **HTMX)

    assert response.status_code == 200
    assert ">Done<" in response.content.decode()
    assert reload(team_a, task).completed_at is None


def test_a_viewer_cannot_tick_off_or_reopen_a_task(team_a: TeamWorld, ada: Lead) -> None:
    task = make_task(team_a, ada, "Call back", timedelta(hours=2))
    client = login(team_a.user(Role.VIEWER))
    assert client.post(reverse("leads:task-done", kwargs={"task_id": task.pk})).status_code == 403
    assert client.post(reverse("leads:task-reopen", kwargs={"task_id": task.pk})).status_code == 403
    assert reload(team_a, task).completed_at is None


def test_another_teams_task_is_not_found(team_a: TeamWorld, team_b: TeamWorld) -> None:
    task = make_task(team_b, make_lead(team_b, email="brenda@example.org"), "Call Brenda", timedelta(hours=2))
    client = login(team_a.user(Role.OWNER))
    for name in ("task-done", "task-reopen"):
        assert client.post(reverse(f"leads:{name}", kwargs={"task_id": task.pk})).status_code == 404
        assert client.get(reverse(f"leads:{name}", kwargs={"task_id": task.pk})).status_code == 405
    assert reload(team_b, task).completed_at is None


# --- My tasks ---------------------------------------------------------------------------------


def test_my_tasks_groups_my_open_tasks_with_overdue_marked_in_words(team_a: TeamWorld, ada: Lead) -> None:
    make_task(team_a, ada, "Overdue call", timedelta(days=-2))
    make_task(team_a, ada, "Next week visit", timedelta(days=6))
    make_task(team_a, None, "Order keys", timedelta(days=3))
    make_task(team_a, ada, "Someone else", timedelta(days=-1), role=Role.MANAGER)
    finished = make_task(team_a, ada, "Already done", timedelta(days=-1))
    with team_scope(team_a.team):
        task_complete(task=finished)

    response = login(team_a.user(Role.AGENT)).get(MY_TASKS)

    assert response.status_code == 200
    body = response.content.decode()
    overdue, upcoming = body.index('id="group-overdue"'), body.index('id="group-upcoming"')
    assert overdue < body.index("Overdue call") < upcoming < body.index("Order keys") < body.index("Next week")
    assert 'class="task task-overdue"' in body
    assert '<span class="badge badge-overdue">Overdue</span>' in body
    assert "Someone else" not in body
    assert "Already done" not in body
    assert "3 open tasks" in body
    assert "Whole team" not in body, "agents see only their own"


def test_managers_can_switch_to_the_whole_teams_tasks(team_a: TeamWorld, ada: Lead) -> None:
    make_task(team_a, ada, "Agent call", timedelta(days=1))
    make_task(team_a, ada, "Manager call", timedelta(days=1), role=Role.MANAGER)
    client = login(team_a.user(Role.MANAGER))

    mine = client.get(MY_TASKS).content.decode()
    assert "Manager call" in mine
    assert "Agent call" not in mine
    assert "Whole team" in mine

    team = client.get(MY_TASKS, {"scope": "team"}).content.decode()
    assert "Manager call" in team
    assert "Agent call" in team
    assert team_a.user(Role.AGENT).display_name in team, "the team view says whose task it is"


def test_an_agent_cannot_see_the_whole_teams_tasks(team_a: TeamWorld) -> None:
    assert login(team_a.user(Role.AGENT)).get(MY_TASKS, {"scope": "team"}).status_code == 403


def test_a_viewer_has_an_empty_task_list_without_done_buttons(team_a: TeamWorld, ada: Lead) -> None:
    make_task(team_a, ada, "Agent call", timedelta(days=1))
    body = login(team_a.user(Role.VIEWER)).get(MY_TASKS).content.decode()
    assert "Nothing to do" in body
    assert "/done/" not in body


def test_my_tasks_never_shows_another_teams_tasks(team_a: TeamWorld, team_b: TeamWorld) -> None:
    make_task(team_b, make_lead(team_b, email="brenda@example.org"), "Call Brenda", timedelta(days=-1))
    body = login(team_a.user(Role.OWNER)).get(MY_TASKS, {"scope": "team"}).content.decode()
    assert "Brenda" not in body
    assert "Nothing to do" in body


def test_today_is_decided_where_the_lead_is(team_a: TeamWorld, place: Property, ada: Lead) -> None:
    # 11 PM on Jan 15 in Los Angeles is already Jan 16 on the server (UTC).
    now = datetime(2031, 1, 16, 6, 0, tzinfo=UTC)
    with team_scope(team_a.team):
        nobody = make_lead(team_a, email="nobody@example.com")
        tasks = [
            Task(team=team_a.team, lead=ada, title="LA tonight", kind=TaskKind.CALL, due_at=now + timedelta(hours=1)),
            Task(team=team_a.team, lead=ada, title="LA tomorrow", kind=TaskKind.CALL, due_at=now + timedelta(hours=9)),
            Task(team=team_a.team, lead=nobody, title="UTC today", kind=TaskKind.CALL, due_at=now + timedelta(hours=9)),
            Task(team=team_a.team, lead=None, title="Late", kind=TaskKind.CALL, due_at=now - timedelta(minutes=1)),
        ]
        groups = {group.key: [task.title for task in group.tasks] for group in group_tasks(tasks, now)}

    assert groups == {"overdue": ["Late"], "today": ["LA tonight", "UTC today"], "upcoming": ["LA tomorrow"]}
