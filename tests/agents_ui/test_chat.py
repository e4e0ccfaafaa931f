"""The chat pane: history, the htmx two-step send, the offline engine and the model, escaping."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from agents.llm import CircuitOpen
from agents.models import ChatMessage, ChatRole, ChatThread, PendingAction
from crm.teams.roles import Role
from crm.teams.scoping import team_scope
from tests.agents_ui.conftest import HTMX, World, ingest, open_slot, propose_tour
from tests.fakes.openai_server import ScriptedOpenAI, error, reply, tool_call

CHAT = reverse("agents:chat-leasing")
ANSWER = reverse("agents:answer-leasing")


def messages_of(world: World, role: str = Role.AGENT) -> list[ChatMessage]:
    with team_scope(world.team.team):
        return list(ChatMessage.objects.filter(thread__user=world.user(role)).order_by("created_at", "id"))


def test_the_page_shows_the_composer_the_engine_and_the_lead_in_context(world: World) -> None:
    response = world.client().get(CHAT, {"lead": str(world.ada.pk)})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Offline engine — connect OPENAI_API_KEY for full answers" in page
    assert 'aria-live="polite"' in page
    assert '<label for="id_message">Your message</label>' in page
    assert re.search(rf'<option value="{world.ada.pk}" selected>Ada Lovelace</option>', page)
    assert re.search(rf'<option value="{world.property.pk}" selected>', page)  # the lead's property


def test_htmx_send_shows_the_question_at_once_and_the_answer_comes_from_its_own_request(world: World) -> None:
    client = world.client()
    first = client.post(CHAT, {"message": "show new leads"}, **HTMX)
    body = first.content.decode()
    assert first.status_code == 200
    assert "show new leads" in body
    assert "Thinking…" in body
    assert f'hx-post="{ANSWER}"' in body
    assert 'hx-trigger="load"' in body
    assert messages_of(world) == []  # nothing ran yet

    second = client.post(ANSWER, {"message": "show new leads"}, **HTMX)
    answer = second.content.decode()
    assert second.status_code == 200
    assert "Ada Lovelace (new)" in answer
    assert "Find leads" in answer
    assert "executed" in answer
    assert "Offline" in answer
    assert "Leasing agent" in answer
    assert "agent-activity-changed" in second["HX-Trigger"]
    assert [(m.role, m.content[:14]) for m in messages_of(world)] == [
        (ChatRole.USER, "show new leads"),
        (ChatRole.ASSISTANT, "1 lead: Ada Lo"),
    ]


def test_without_javascript_a_send_runs_the_turn_and_redirects_back(world: World) -> None:
    client = world.client()
    response = client.post(CHAT, {"message": "show new leads", "lead": str(world.ada.pk)})
    assert response.status_code == 302
    assert response["Location"] == f"{CHAT}?lead={world.ada.pk}#chat-end"
    page = client.get(response["Location"]).content.decode()
    assert "show new leads" in page
    assert "Ada Lovelace (new)" in page


def test_an_empty_message_comes_back_on_the_composer(world: World) -> None:
    client = world.client()
    response = client.post(CHAT, {"message": "  "}, **HTMX)
    assert response.status_code == 422
    assert response["HX-Retarget"] == "#composer"
    assert response["HX-Reswap"] == "outerHTML"
    assert "Type a message first." in response.content.decode()
    assert client.post(CHAT, {"message": ""}).status_code == 422


def test_a_knowledge_question_is_answered_offline_with_a_link_to_its_source(world: World) -> None:
    document = ingest(
        world,
        title="Maple Court pet policy",
        text="# Pets\n\nDogs up to 50 lb are welcome with a $300 deposit and $35 monthly pet rent.",
    )
    response = world.client().post(ANSWER, {"message": "Are dogs allowed? What is the pet deposit?"}, **HTMX)
    answer = response.content.decode()
    assert "$300 deposit" in answer
    url = reverse("knowledge:document", kwargs={"document_id": document.pk})
    assert f'<a href="{url}">Maple Court pet policy</a>' in answer
    saved = messages_of(world)[-1]
    assert saved.engine == "offline"
    assert saved.sources[0]["document_id"] == str(document.pk)


def test_the_coo_says_which_agent_answered(world: World) -> None:
    response = world.client().post(reverse("agents:answer-coo"), {"message": "show new leads"}, **HTMX)
    answer = response.content.decode()
    assert "<strong>Leasing agent</strong>" in answer
    assert "routed by Ask Loriaa" in answer


def test_a_tour_asked_for_offline_waits_for_approval_in_the_answer(world: World) -> None:
    day = open_slot(world.property).date()
    message = f"Book a tour for Ada on {day:%b} {day.day} at 10am"
    response = world.client().post(ANSWER, {"message": message, "lead": str(world.ada.pk)}, **HTMX)
    answer = response.content.decode()
    with team_scope(world.team.team):
        action = PendingAction.objects.get()
    assert "pending approval" in answer
    assert action.summary in answer
    assert reverse("agents:action-approve", kwargs={"action_id": action.pk}) in answer


def test_with_the_model_a_scripted_tour_shows_up_for_approval(world: World, llm_on: ScriptedOpenAI) -> None:
    start = open_slot(world.property)
    llm_on.script(
        tool_call("schedule_tour", {"lead_id": str(world.ada.pk), "starts_at": start.isoformat(), "property_id": None}),
        reply("I asked a teammate to approve the tour."),
    )
    client = world.client()
    response = client.post(ANSWER, {"message": "Book Ada a tour", "lead": str(world.ada.pk)}, **HTMX)
    answer = response.content.decode()
    with team_scope(world.team.team):
        action = PendingAction.objects.get()
    assert "I asked a teammate to approve the tour." in answer
    assert "AI model" in answer
    assert "Book a tour" in answer
    assert "pending approval" in answer
    assert action.summary in answer
    assert re.search(r'<button type="submit" class="btn btn-small btn-primary">Approve</button>', answer)
    assert llm_on.requests[0]["tools"], "the model was offered the leasing tools"

    # The history shows the same answer, with the action still waiting.
    page = client.get(CHAT).content.decode()
    assert action.summary in page
    assert reverse("agents:action-approve", kwargs={"action_id": action.pk}) in page


def test_model_output_is_escaped(world: World, llm_on: ScriptedOpenAI) -> None:
    llm_on.script(reply('<script>alert("x")</script> <img src=x onerror=alert(1)>\nSecond line'))
    response = world.client().post(ANSWER, {"message": "Say something"}, **HTMX)
    answer = response.content.decode()
    assert "<script>alert" not in answer
    assert "<img src=x" not in answer
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in answer
    assert "<br>Second line" in answer


def test_an_unreachable_model_is_said_plainly_and_the_offline_engine_answers(
    world: World, llm_on: ScriptedOpenAI
) -> None:
    llm_on.script(*[error(500)] * 3)
    llm_on.allow_unscripted = True
    response = world.client().post(ANSWER, {"message": "show new leads"}, **HTMX)
    answer = response.content.decode()
    assert response.status_code == 200
    assert "The offline engine answered instead." in answer
    assert "Ada Lovelace (new)" in answer


@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "plain"])
def test_a_gateway_error_is_a_message_in_the_pane_not_a_500(
    world: World, monkeypatch: pytest.MonkeyPatch, htmx: bool
) -> None:
    def fail(**kwargs: Any) -> Any:
        raise CircuitOpen(30)

    monkeypatch.setattr("agents.views.chat.chat_send", fail)
    headers = HTMX if htmx else {}
    response = world.client().post(ANSWER if htmx else CHAT, {"message": "show new leads"}, **headers)
    body = response.content.decode()
    assert response.status_code == (200 if htmx else 503)
    assert "The AI model is unavailable right now; retrying in 30 s." in body
    assert "Nothing was saved" in body
    assert messages_of(world) == []


def test_clearing_empties_only_this_chat(world: World) -> None:
    client = world.client()
    client.post(CHAT, {"message": "show new leads"})
    client.post(reverse("agents:chat-marketing"), {"message": "how is the funnel"})
    assert client.post(reverse("agents:clear-leasing")).status_code == 302
    with team_scope(world.team.team):
        left = set(ChatMessage.objects.values_list("thread__agent", flat=True))
    assert left == {"marketing"}


def test_each_user_has_their_own_history(world: World) -> None:
    world.client(Role.AGENT).post(CHAT, {"message": "show new leads"})
    page = world.client(Role.MANAGER).get(CHAT).content.decode()
    assert "show new leads" not in page
    assert "No messages yet" in page


def test_the_lead_picker_searches_the_teams_leads(world: World) -> None:
    response = world.client().get(reverse("agents:lead-picker"), {"lead_q": "lovelace"})
    assert f'<option value="{world.ada.pk}">Ada Lovelace</option>' in response.content.decode()
    response = world.client().get(reverse("agents:lead-picker"), {"lead_q": "nobody-like-this"})
    assert "Ada Lovelace" not in response.content.decode()


def _history(world: World, count: int) -> None:
    action = propose_tour(world)
    with team_scope(world.team.team):
        thread = ChatThread.objects.create(team=world.team.team, user=world.user(Role.AGENT), agent="leasing")
        for number in range(count):
            user_turn = number % 2 == 0
            ChatMessage.objects.create(
                team=world.team.team,
                thread=thread,
                role=ChatRole.USER if user_turn else ChatRole.ASSISTANT,
                content=f"message {number}",
                engine="" if user_turn else "offline",
                agent="" if user_turn else "leasing",
                sources=[] if user_turn else [{"document_id": str(world.ada.pk), "title": "Doc", "excerpt": "x"}],
                tool_calls=[]
                if user_turn
                else [
                    {
                        "name": "schedule_tour",
                        "status": "pending_approval",
                        "result": {"pending_action": str(action.pk)},
                    },
                    {"name": "search_leads", "status": "executed", "result": {}},
                ],
            )


def _queries(world: World) -> int:
    client = world.client()
    client.get(CHAT)  # warm the session and the thread
    with CaptureQueriesContext(connection) as queries:
        response = client.get(CHAT)
    assert response.status_code == 200
    return len(queries)


def test_the_chat_page_costs_the_same_queries_for_5_or_30_messages(team_a: Any, team_b: Any) -> None:
    from tests.agents_ui.conftest import make_world

    short, long = make_world(team_a), make_world(team_b)
    _history(short, 5)
    _history(long, 30)
    assert _queries(short) == _queries(long)
    page = long.client().get(CHAT).content.decode()
    assert page.count('class="chat-message chat-') == 30


def test_without_javascript_the_lead_search_is_a_plain_get(world: World) -> None:
    page = world.client().get(CHAT, {"lead_q": "lovelace"}).content.decode()
    assert f'<option value="{world.ada.pk}">Ada Lovelace</option>' in page
    page = world.client().get(CHAT, {"lead_q": "nobody-like-this"}).content.decode()
    assert "Ada Lovelace" not in page


@pytest.mark.parametrize("raw", ["not-a-uuid", "00000000-0000-0000-0000-000000000000", ""])
def test_a_stale_or_malformed_lead_in_the_link_is_just_not_preselected(world: World, raw: str) -> None:
    response = world.client().get(CHAT, {"lead": raw})
    assert response.status_code == 200
    assert " selected>Ada Lovelace" not in response.content.decode()
