"""The inbox page and its thread list: filters, keyset pages, empty states, the cheap refresh."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from crm.inbox.models import Channel, Conversation
from crm.inbox.selectors import THREAD_PAGE_SIZE
from crm.inbox.services.sending import conversation_for
from crm.leads.models import Lead
from crm.properties.models import Property
from crm.teams.roles import Role
from crm.teams.scoping import team_scope
from tests.conftest import TeamWorld, login
from tests.inbox.conftest import HTMX, receive
from tests.leads.lead_pages import make_lead, make_property

INBOX = reverse("inbox:index")
POLL = reverse("inbox:threads-poll")


def threads_for(world: TeamWorld, count: int, *, place: Property | None = None, **lead: Any) -> list[Conversation]:
    """``count`` text threads, one a minute apart, newest last."""
    start = timezone.now() - timedelta(hours=1)
    made = []
    with team_scope(world.team):
        for n in range(count):
            person = make_lead(world, first_name=f"Prospect{n:02d}", phone=f"+1512555{n:04d}", property=place, **lead)
            conversation = conversation_for(person, Channel.SMS)
            Conversation.objects.filter(pk=conversation.pk).update(
                last_message_at=start + timedelta(minutes=n), last_preview=f"Hello from {n:02d}"
            )
            made.append(conversation)
    return made


def row_ids(body: str) -> list[str]:
    return re.findall(r'<li id="thread-([0-9a-f-]{36})"', body)


def test_an_empty_inbox_says_so(team_a: TeamWorld) -> None:
    response = login(team_a.user(Role.AGENT)).get(INBOX)
    assert response.status_code == 200
    assert "Inbox zero" in response.content.decode()


def test_a_thread_row_shows_the_lead_channel_preview_unread_and_ai(team_a: TeamWorld, thread: Conversation) -> None:
    body = login(team_a.user(Role.AGENT)).get(INBOX).content.decode()
    row = body[body.index(f'id="thread-{thread.pk}"') :][:2500]
    assert "Ada Lovelace" in row
    assert "Maple Court" in row
    assert "SMS" in row
    assert "Is the 2-bed still available?" in row
    assert "unread-dot" in row
    assert "AI on" in row
    assert "Unassigned" in row


def test_filters_narrow_the_list_and_no_match_is_an_empty_state(
    team_a: TeamWorld, thread: Conversation, ada: Lead
) -> None:
    agent = team_a.user(Role.AGENT)
    client = login(agent)
    other = make_lead(team_a, first_name="Grace", last_name="Hopper", phone="+15125550177")
    receive(team_a, other, "Parking?")
    with team_scope(team_a.team):
        Conversation.objects.filter(pk=thread.pk).update(assignee=agent, unread=False)

    def names(**query: str) -> set[str]:
        body = client.get(INBOX, query).content.decode()
        return {name for name in ("Ada Lovelace", "Grace Hopper") if name in body}

    assert names() == {"Ada Lovelace", "Grace Hopper"}
    assert names(who="mine") == {"Ada Lovelace"}
    assert names(who="unassigned") == {"Grace Hopper"}
    assert names(unread="1") == {"Grace Hopper"}
    assert names(q="lovelace") == {"Ada Lovelace"}
    assert names(q="555-0177") == {"Grace Hopper"}
    assert names(q="ada@example") == {"Ada Lovelace"}
    assert names(channel="email") == set()
    assert names(property=str(ada.property_id)) == {"Ada Lovelace"}
    assert "No matches" in client.get(INBOX, {"q": "nobody-like-this"}).content.decode()


def test_closed_threads_leave_the_default_list(team_a: TeamWorld, thread: Conversation) -> None:
    with team_scope(team_a.team):
        Conversation.objects.filter(pk=thread.pk).update(status="closed")
    client = login(team_a.user(Role.AGENT))
    assert "Ada Lovelace" not in client.get(INBOX).content.decode()
    assert "Ada Lovelace" in client.get(INBOX, {"status": "closed"}).content.decode()
    assert "Ada Lovelace" in client.get(INBOX, {"status": "any"}).content.decode()


def test_the_filter_form_swaps_only_the_list(team_a: TeamWorld, thread: Conversation) -> None:
    response = login(team_a.user(Role.AGENT)).get(INBOX, {"q": "ada"}, **HTMX, HTTP_HX_TARGET="thread-list")
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="thread-list"')
    assert "Ada Lovelace" in body
    assert "<html" not in body


def test_load_more_walks_the_pages_newest_first_without_repeats(team_a: TeamWorld) -> None:
    made = threads_for(team_a, THREAD_PAGE_SIZE + 5)
    client = login(team_a.user(Role.AGENT))
    first = client.get(INBOX).context
    assert [c.pk for c in first["rows"]] == [c.pk for c in reversed(made)][:THREAD_PAGE_SIZE]
    assert first["next_cursor"]
    more = client.get(reverse("inbox:threads"), {"cursor": first["next_cursor"]}, **HTMX)
    body = more.content.decode()
    assert row_ids(body) == [str(c.pk) for c in reversed(made)][THREAD_PAGE_SIZE:]
    assert "Load more" not in body
    # The list's refresh now keeps every row shown.
    assert f"shown={THREAD_PAGE_SIZE + 5}" in body
    assert 'hx-swap-oob="true"' in body
    # Without JavaScript, the same link opens the next page as a whole page.
    page = client.get(INBOX, {"cursor": first["next_cursor"]})
    assert [c.pk for c in page.context["rows"]] == [c.pk for c in reversed(made)][THREAD_PAGE_SIZE:]
    assert client.get(reverse("inbox:threads"), {"cursor": first["next_cursor"]}).status_code == 302


def test_a_bad_cursor_starts_from_the_newest(team_a: TeamWorld) -> None:
    threads_for(team_a, 2)
    response = login(team_a.user(Role.AGENT)).get(INBOX, {"cursor": "not-a-cursor"})
    assert len(response.context["rows"]) == 2


def test_the_list_refresh_answers_204_until_a_message_arrives(
    team_a: TeamWorld, thread: Conversation, ada: Lead
) -> None:
    client = login(team_a.user(Role.AGENT))
    version = client.get(INBOX).context["version"]
    assert client.get(POLL, {"since": version}, **HTMX).status_code == 204
    receive(team_a, ada, "Also, do you allow cats?")
    changed = client.get(POLL, {"since": version}, **HTMX)
    assert changed.status_code == 200
    assert "do you allow cats?" in changed.content.decode()
    assert f"since={version}" not in changed.content.decode()
    # Conditional GET for clients that keep the ETag.
    assert client.get(POLL, HTTP_IF_NONE_MATCH=changed["ETag"]).status_code == 304
    # After an action (an assignment: same newest message, different list) the refresh always answers.
    forced = client.get(POLL, {"since": changed["ETag"].strip('"').removeprefix("threads-"), "fresh": "1"}, **HTMX)
    assert forced.status_code == 200
    assert forced["Cache-Control"] == "no-store"
    assert not forced.has_header("ETag")


def test_the_refresh_costs_one_query_after_the_login_when_nothing_changed(
    team_a: TeamWorld, thread: Conversation
) -> None:
    client = login(team_a.user(Role.AGENT))
    version = client.get(INBOX).context["version"]
    with CaptureQueriesContext(connection) as queries:
        assert client.get(POLL, {"since": version}, **HTMX).status_code == 204
    # session, user, membership (with its team), then the one MAX(last_message_at) lookup.
    assert len(queries) == 4, [q["sql"] for q in queries]


def test_the_list_costs_the_same_queries_for_5_and_40_threads(team_a: TeamWorld) -> None:
    agent = team_a.user(Role.AGENT)
    place = make_property(team_a, name="Query Towers")
    client = login(agent)
    threads_for(team_a, 5, place=place)
    with team_scope(team_a.team):
        Conversation.objects.update(assignee=agent)
    client.get(INBOX)  # the first request of a session also stores the team in it
    with CaptureQueriesContext(connection) as few:
        assert len(client.get(INBOX).context["rows"]) == 5
    threads_for(team_a, 35, place=place)
    with team_scope(team_a.team):
        Conversation.objects.update(assignee=agent)
    with CaptureQueriesContext(connection) as many:
        response = client.get(INBOX)
        assert len(response.context["rows"]) == THREAD_PAGE_SIZE
    assert len(many) == len(few) == 7, [q["sql"] for q in many]
    with CaptureQueriesContext(connection) as polled:
        client.get(POLL, {"shown": "40"}, **HTMX)
    assert len(polled) <= len(few)


def test_the_inbox_needs_a_login(db: None) -> None:
    response = login_anonymous_get(INBOX)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def login_anonymous_get(url: str) -> Any:
    from django.test import Client

    return Client().get(url)


def test_team_b_threads_never_appear(team_a: TeamWorld, team_b: TeamWorld, thread: Conversation) -> None:
    bravo = make_lead(team_b, first_name="Brenda", last_name="Bravo", phone="+15125550999")
    receive(team_b, bravo, "Hello from Bravo")
    body = login(team_a.user(Role.VIEWER)).get(INBOX).content.decode()
    assert "Ada Lovelace" in body
    assert "Brenda" not in body
    assert "Hello from Bravo" not in body


@pytest.mark.parametrize("role", [Role.VIEWER, Role.AGENT])
def test_the_simulator_is_offered_to_agents_only_when_it_is_on(
    team_a: TeamWorld, place: Property, settings: Any, role: str
) -> None:
    settings.INBOX_SIMULATOR = True
    body = login(team_a.user(role)).get(INBOX).content.decode()
    assert ("Simulate an inbound text" in body) is (role == Role.AGENT)
    settings.INBOX_SIMULATOR = False
    assert "Simulate an inbound text" not in login(team_a.user(Role.AGENT)).get(INBOX).content.decode()
