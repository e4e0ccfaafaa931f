"""The overview, the audit log (filters, keyset pages, CSV) and the lead page's AI activity."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta
from typing import Any

from django.urls import reverse
from django.utils import timezone

from agents.models import AgentActivity
from crm.teams.roles import Role
from crm.teams.scoping import team_scope
from tests.agents_ui.conftest import HTMX, World, propose_tour

ACTIVITY = reverse("agents:activity")


def add_rows(world: World, count: int, **fields: Any) -> list[AgentActivity]:
    now = timezone.now()
    values = {"agent": "leasing", "kind": "tool_call", "tool": "search_leads", "status": "executed"} | fields
    with team_scope(world.team.team):
        rows = [
            AgentActivity(team=world.team.team, turn_id=world.ada.pk, engine="offline", **values) for _ in range(count)
        ]
        created = AgentActivity.objects.bulk_create(rows)
        # Equal timestamps on purpose: the id breaks the tie, so no row is shown twice or skipped.
        AgentActivity.objects.filter(pk__in=[row.pk for row in created]).update(created_at=now - timedelta(days=1))
    return created


def test_the_overview_has_the_agents_the_engine_and_what_waits(world: World) -> None:
    action = propose_tour(world)
    page = world.client().get(reverse("agents:index")).content.decode()
    for title in ("Ask Loriaa", "Leasing agent", "Marketing agent", "Property agent"):
        assert title in page
    assert "Offline engine — connect OPENAI_API_KEY for full answers" in page
    assert action.summary in page
    assert reverse("agents:action-approve", kwargs={"action_id": action.pk}) in page
    assert "Book a tour" in page  # the recent activity names the tool


def test_the_overview_names_the_model_when_one_is_connected(world: World, settings: Any) -> None:
    settings.OPENAI_API_KEY = "sk-test"
    settings.OPENAI_ENABLED = True
    settings.OPENAI_AGENT_MODEL = "gpt-test-mini"
    assert "AI model: gpt-test-mini" in world.client().get(reverse("agents:index")).content.decode()


def test_the_log_pages_by_keyset_without_repeating_or_skipping(world: World) -> None:
    created = {str(row.pk) for row in add_rows(world, 120)}
    client = world.client()
    seen: list[str] = []
    url = ACTIVITY
    for _ in range(5):
        response = client.get(url, **HTMX) if seen else client.get(url)
        body = response.content.decode()
        seen += re.findall(r'data-row="([0-9a-f-]{36})"', body)
        more = re.search(r'hx-get="([^"]+)"', body.split('id="activity-more"')[-1]) if "activity-more" in body else None
        if more is None:
            break
        url = more.group(1).replace("&amp;", "&")
    assert len(seen) == len(set(seen)) == 120
    assert set(seen) == created


def test_the_log_filters_by_agent_status_and_lead(world: World) -> None:
    add_rows(world, 2, agent="marketing", tool="funnel")
    add_rows(world, 1, status="refused", tool="send_message", error="Not allowed.")
    add_rows(world, 1, lead=world.ada, tool="get_lead")
    client = world.client()

    def shown(**query: str) -> int:
        return client.get(ACTIVITY, query).content.decode().count("data-row=")

    assert shown() == 4
    assert shown(agent="marketing") == 2
    assert shown(status="refused") == 1
    assert shown(lead=str(world.ada.pk)) == 1
    assert shown(agent="nonsense") == 4  # an unknown value filters nothing rather than failing


def test_the_csv_export_follows_the_filters_and_defuses_formulas(world: World) -> None:
    add_rows(world, 2, agent="marketing", tool="funnel")
    add_rows(world, 1, status="failed", error='=HYPERLINK("http://evil")')
    response = world.client(Role.MANAGER).get(reverse("agents:activity-export"), {"status": "failed"})
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode().lstrip("\ufeff"))))
    assert rows[0][:5] == ["time", "agent", "kind", "tool", "status"]
    assert len(rows) == 2
    assert rows[1][4] == "failed"
    assert rows[1][9].startswith("'=")


def test_the_lead_page_shows_what_the_agents_propose_and_did(world: World) -> None:
    action = propose_tour(world)
    page = world.client().get(reverse("leads:detail", kwargs={"lead_id": world.ada.pk})).content.decode()
    section = page.split('id="lead-ai"')[1].split("</section>")[0]
    assert "AI activity" in page
    assert action.summary in section
    assert reverse("agents:action-approve", kwargs={"action_id": action.pk}) in section
    assert "Book a tour" in section
    assert "Waiting for approval" in section
    assert f"{reverse('agents:chat-leasing')}?lead={world.ada.pk}" in section
    assert "Ask the leasing agent" in section


def test_a_viewer_sees_the_lead_section_without_buttons(world: World) -> None:
    action = propose_tour(world)
    page = world.client(Role.VIEWER).get(reverse("leads:detail", kwargs={"lead_id": world.ada.pk})).content.decode()
    assert action.summary in page
    assert reverse("agents:action-approve", kwargs={"action_id": action.pk}) not in page


def test_the_lead_sections_recent_activity_refreshes_on_its_own(world: World) -> None:
    propose_tour(world)
    response = world.client().get(reverse("agents:lead-activity", kwargs={"lead_id": world.ada.pk}), **HTMX)
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="lead-ai-recent"')
    assert "agent-activity-changed from:body" in body
    assert "Book a tour" in body
