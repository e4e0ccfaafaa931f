"""The conversations API: team-scoped lists and reads, replies through send_message."""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from crm.inbox.models import Channel, ConsentSource, ConsentState, Conversation, Message
from crm.inbox.services.consent import record_consent
from crm.leads.models import Lead
from crm.teams.roles import Role
from crm.teams.scoping import team_scope
from tests.conftest import TeamWorld, api_client_for
from tests.inbox.conftest import receive
from tests.inbox.test_threads import threads_for
from tests.leads.lead_pages import make_lead

LIST = reverse("api:conversation-list")


def detail(conversation: Conversation) -> str:
    return reverse("api:conversation-detail", kwargs={"pk": conversation.pk})


def messages_url(conversation: Conversation) -> str:
    return reverse("api:conversation-messages", kwargs={"pk": conversation.pk})


def api(world: TeamWorld, role: str = Role.AGENT) -> APIClient:
    return api_client_for(world.membership(role))


def test_the_list_is_the_teams_conversations_newest_first_with_filters(
    team_a: TeamWorld, team_b: TeamWorld, thread: Conversation, ada: Lead
) -> None:
    grace = make_lead(team_a, first_name="Grace", email="grace@example.com")
    receive(team_a, grace, "Hello by email", channel=Channel.EMAIL)
    bravo = make_lead(team_b, first_name="Brenda", phone="+15125550999")
    receive(team_b, bravo, "Bravo")
    client = api(team_a, Role.VIEWER)
    body = client.get(LIST).json()
    assert [row["lead"] for row in body["results"]] == [str(grace.pk), str(ada.pk)]
    assert set(body) == {"next", "previous", "page_size", "results"}
    row = body["results"][1]
    assert row["channel"] == "sms"
    assert row["status"] == "open"
    assert row["unread"] is True
    assert row["last_preview"] == "Hi! Is the 2-bed still available?"
    assert [r["lead"] for r in client.get(LIST, {"lead": str(ada.pk)}).json()["results"]] == [str(ada.pk)]
    assert [r["channel"] for r in client.get(LIST, {"channel": "email"}).json()["results"]] == ["email"]
    assert client.get(LIST, {"status": "closed"}).json()["results"] == []
    assert client.get(LIST, {"status": "maybe"}).status_code == 400
    assert client.get(LIST, {"lead": str(bravo.pk)}).json()["results"] == []


def test_the_list_pages_by_keyset_at_a_fixed_query_cost(team_a: TeamWorld) -> None:
    client = api(team_a)
    threads_for(team_a, 5)
    client.get(LIST)
    with CaptureQueriesContext(connection) as few:
        assert len(client.get(LIST).json()["results"]) == 5
    threads_for(team_a, 25)
    with CaptureQueriesContext(connection) as many:
        body = client.get(LIST, {"page_size": 30}).json()
    assert len(body["results"]) == 30
    # token, membership, the throttle's cache (6 with the tests' database cache), one page query.
    assert len(many) == len(few) == 9, [q["sql"] for q in many]
    first = client.get(LIST, {"page_size": 20}).json()
    second = client.get(first["next"]).json()
    ids = [r["id"] for r in first["results"] + second["results"]]
    assert len(ids) == len(set(ids)) == 30


def test_one_conversation_and_its_messages(team_a: TeamWorld, thread: Conversation, ada: Lead) -> None:
    client = api(team_a, Role.VIEWER)
    assert client.get(detail(thread)).json()["id"] == str(thread.pk)
    receive(team_a, ada, "Second text")
    body = client.get(messages_url(thread)).json()
    assert [m["body"] for m in body["results"]] == ["Second text", "Hi! Is the 2-bed still available?"]
    message = body["results"][0]
    assert message["direction"] == "inbound"
    assert message["author"] == "Ada Lovelace"
    assert message["attachments"] == []


def test_a_reply_is_sent_and_returned_with_201(team_a: TeamWorld, thread: Conversation, committed: Any) -> None:
    agent = team_a.user(Role.AGENT)
    with committed():
        response = api(team_a).post(messages_url(thread), {"body": "Tour Saturday at 10?"}, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["body"] == "Tour Saturday at 10?"
    assert body["direction"] == "outbound"
    assert body["sent_by"] == str(agent.pk)
    assert body["fair_housing_warnings"] == []
    with team_scope(team_a.team):
        assert Message.objects.get(pk=body["id"]).status == "sent"


def test_a_reply_with_staff_wording_issues_carries_the_warnings(team_a: TeamWorld, thread: Conversation) -> None:
    response = api(team_a).post(messages_url(thread), {"body": "Adults only, no kids please."}, format="json")
    assert response.status_code == 201
    assert response.json()["fair_housing_warnings"]


def test_a_refused_reply_is_409_with_the_reason_and_code(team_a: TeamWorld, thread: Conversation, ada: Lead) -> None:
    with team_scope(team_a.team):
        record_consent(ada, Channel.SMS, ConsentState.OPTED_OUT, source=ConsentSource.KEYWORD, evidence="STOP")
    response = api(team_a).post(messages_url(thread), {"body": "Still interested?"}, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "opted_out"
    assert "opted out" in response.json()["detail"]
    with team_scope(team_a.team):
        assert Message.objects.filter(conversation=thread).count() == 1


def test_an_empty_reply_is_a_400(team_a: TeamWorld, thread: Conversation) -> None:
    assert api(team_a).post(messages_url(thread), {}, format="json").status_code == 400


def test_a_viewer_cannot_reply(team_a: TeamWorld, thread: Conversation) -> None:
    response = api(team_a, Role.VIEWER).post(messages_url(thread), {"body": "Hi"}, format="json")
    assert response.status_code == 403
    with team_scope(team_a.team):
        assert Message.objects.filter(conversation=thread).count() == 1


def test_another_teams_conversation_is_a_404(team_a: TeamWorld, team_b: TeamWorld) -> None:
    bravo = make_lead(team_b, first_name="Brenda", phone="+15125550999")
    message = receive(team_b, bravo, "Hi")
    with team_scope(team_b.team):
        theirs = Conversation.objects.get(pk=message.conversation_id)
    client = api(team_a, Role.OWNER)
    assert client.get(detail(theirs)).status_code == 404
    assert client.get(messages_url(theirs)).status_code == 404
    assert client.post(messages_url(theirs), {"body": "Leak"}, format="json").status_code == 404
    with team_scope(team_b.team):
        assert Message.objects.count() == 1


def test_the_api_needs_a_token(thread: Conversation) -> None:
    assert APIClient().get(LIST).status_code == 401
