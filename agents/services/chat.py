"""The chat pane's services: one thread per user and agent, a turn per message, the history.

The views (and their templates) call these; they hold no logic of their own.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import QuerySet

from agents.models import ChatMessage, ChatRole, ChatThread
from agents.runtime import DEFAULT_MODEL, TurnResult, run_turn

if TYPE_CHECKING:
    from agents.gateway import ChatModel
    from crm.accounts.models import User
    from crm.teams.models import Team

HISTORY_FOR_MODEL = 12
PAGE = 50


@dataclass(frozen=True)
class ChatExchange:
    question: ChatMessage
    answer: ChatMessage
    turn: TurnResult


def chat_thread(*, team: Team, user: User, agent: str) -> ChatThread:
    thread: ChatThread
    thread, _ = ChatThread.objects.get_or_create(team=team, user=user, agent=agent)
    return thread


def chat_messages(*, thread: ChatThread, limit: int = PAGE) -> list[ChatMessage]:
    """The thread's latest ``limit`` messages, oldest first (as the pane shows them)."""
    newest: QuerySet[ChatMessage] = thread.messages.order_by("-created_at", "-id")[:limit]
    return list(reversed(list(newest)))


def chat_send(
    *,
    team: Team,
    user: User,
    agent: str,
    message: str,
    context: Mapping[str, Any] | None = None,
    model: ChatModel | None = DEFAULT_MODEL,
) -> ChatExchange:
    """Run one turn with the thread's recent history and keep both sides of it."""
    thread = chat_thread(team=team, user=user, agent=agent)
    history = [{"role": m.role, "content": m.content} for m in chat_messages(thread=thread, limit=HISTORY_FOR_MODEL)]
    turn = run_turn(agent=agent, team=team, user=user, message=message, context=context, model=model, history=history)
    with transaction.atomic():
        question = ChatMessage.objects.create(
            team=team, thread=thread, role=ChatRole.USER, content=message, turn_id=turn.turn_id
        )
        answer = ChatMessage.objects.create(
            team=team,
            thread=thread,
            role=ChatRole.ASSISTANT,
            content=turn.answer,
            sources=turn.sources,
            tool_calls=turn.tool_calls,
            engine=turn.engine,
            agent=turn.agent,
            turn_id=turn.turn_id,
        )
        thread.save(update_fields=["updated_at"])
    return ChatExchange(question=question, answer=answer, turn=turn)


def chat_clear(*, thread: ChatThread) -> None:
    thread.messages.all().delete()
