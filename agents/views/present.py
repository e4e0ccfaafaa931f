"""How the agents' records read on screen: agent cards, chat bubbles, tool calls, decisions.

Everything here turns stored data (chat messages, pending actions, audit rows) into plain
values for the templates. Model text stays text: the templates escape it like any user input.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.urls import NoReverseMatch, reverse

from agents.models import ChatMessage, ChatRole, Engine, PendingAction, PendingStatus
from agents.tools.base import ToolOutcome, parse_id
from agents.tools.describe import describe
from agents.workforce import AGENTS


@dataclass(frozen=True)
class AgentCard:
    name: str
    title: str
    lede: str
    can: tuple[str, ...]
    examples: tuple[str, ...]

    @property
    def url(self) -> str:
        return reverse(f"agents:chat-{self.name}")


CARDS: dict[str, AgentCard] = {
    card.name: card
    for card in (
        AgentCard(
            "coo",
            "Ask Loriaa",
            "Ask anything: Loriaa reads the request and hands it to the leasing, marketing or property agent.",
            ("Routes each request to the right agent", "Answers from your knowledge base with its sources"),
            ("How many new leads came in this week?", "What is the pet policy at Maple Court?"),
        ),
        AgentCard(
            "leasing",
            "Leasing agent",
            "Works your leads with you: finds them, books tours, moves stages, drafts messages.",
            (
                "Find leads and read a guest card",
                "Book tours in open slots (you approve)",
                "Move a lead's stage (you approve)",
                "Add follow-up tasks",
                "Draft and send messages (you approve sending)",
                "Answer from the knowledge base",
            ),
            ("Show new leads", "Book a tour for Ada on Monday at 10am", "Remind me to call Ada tomorrow"),
        ),
        AgentCard(
            "marketing",
            "Marketing agent",
            "Reads where leads come from and how they convert, and writes ad copy.",
            (
                "Lead counts by source",
                "The leasing funnel",
                "Campaign performance",
                "Google and Facebook ad copy",
                "Which channels are connected",
            ),
            ("Where did our leads come from in the last 30 days?", "Write Facebook ad copy for Maple Court"),
        ),
        AgentCard(
            "property",
            "Property agent",
            "Knows your buildings: units, prices, office hours, open tour times and house rules.",
            ("Available units and rents", "Property facts and office hours", "Open tour times", "House rules"),
            ("Which 2 bedroom units are available?", "What are the office hours?"),
        ),
    )
}
assert set(CARDS) == set(AGENTS), "every agent needs a card"

TOOL_LABELS: dict[str, str] = {
    "search_leads": "Find leads",
    "get_lead": "Read a guest card",
    "update_lead_stage": "Move a lead's stage",
    "create_follow_up": "Add a follow-up task",
    "available_tour_slots": "Open tour times",
    "schedule_tour": "Book a tour",
    "draft_message": "Draft a message",
    "send_message": "Send a message",
    "search_knowledge": "Search the knowledge base",
    "lead_counts_by_source": "Lead counts by source",
    "funnel": "Leasing funnel",
    "campaign_performance": "Campaign performance",
    "integration_status": "Connected channels",
    "list_units": "List units",
    "get_property": "Property facts",
    "generate_ad_copy": "Write ad copy",
}
CALL_STATUS_LABELS = {
    "executed": "executed",
    "pending_approval": "pending approval",
    "refused": "refused",
    "failed": "failed",
}
ENGINE_LABELS = {Engine.LLM: "AI model", Engine.OFFLINE: "Offline"}


def tool_label(name: str) -> str:
    return TOOL_LABELS.get(name, name.replace("_", " ").capitalize())


def agent_title(name: str) -> str:
    card = CARDS.get(name)
    return card.title if card is not None else name.capitalize()


def engine_label(engine: str) -> str:
    return ENGINE_LABELS.get(engine, "")  # type: ignore[call-overload]


@dataclass(frozen=True)
class EngineInfo:
    online: bool
    model: str

    @property
    def label(self) -> str:
        if self.online:
            return f"AI model: {self.model}"
        return "Offline engine — connect OPENAI_API_KEY for full answers"


def engine_info() -> EngineInfo:
    online = bool(settings.OPENAI_ENABLED and settings.OPENAI_API_KEY)
    return EngineInfo(online=online, model=str(settings.OPENAI_AGENT_MODEL))


# --- Pending actions ---------------------------------------------------------------------------


def decision_text(action: PendingAction) -> str:
    """What became of an action, in words (the tool's own description once it ran)."""
    if action.status == PendingStatus.APPROVED:
        outcome = ToolOutcome(action.tool, dict(action.arguments), "executed", result=dict(action.result or {}))
        done = describe(outcome)
        return done if done != "Done." else f"Done: {action.summary}."
    if action.status == PendingStatus.FAILED:
        return f"Approved, but it could not be done: {action.error or 'unknown error'}"
    if action.status == PendingStatus.REJECTED:
        return f"Rejected{': ' + action.error if action.error else '.'}"
    if action.status == PendingStatus.EXPIRED or action.is_expired:
        return "Expired: it waited too long for approval. Ask the agent again."
    return "Waiting for approval."


def decision_level(action: PendingAction) -> str:
    return {PendingStatus.APPROVED: "success", PendingStatus.REJECTED: "info"}.get(action.status, "warning")  # type: ignore[call-overload]


# --- Chat bubbles --------------------------------------------------------------------------------


@dataclass(frozen=True)
class SourceLink:
    title: str
    url: str
    excerpt: str


@dataclass(frozen=True)
class CallLine:
    name: str
    label: str
    status: str
    status_label: str
    error: str
    action: PendingAction | None


@dataclass
class Bubble:
    message: ChatMessage
    routed: bool = False
    sources: list[SourceLink] = field(default_factory=list)
    calls: list[CallLine] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def is_user(self) -> bool:
        return self.message.role == ChatRole.USER

    @property
    def agent_title(self) -> str:
        return agent_title(self.message.agent)

    @property
    def engine_label(self) -> str:
        return engine_label(self.message.engine)


def source_links(sources: Any) -> list[SourceLink]:
    links = []
    for source in sources if isinstance(sources, list) else []:
        if not isinstance(source, dict):
            continue
        document_id = parse_id(source.get("document_id"))
        try:
            url = reverse("knowledge:document", kwargs={"document_id": document_id}) if document_id else ""
        except NoReverseMatch:
            url = ""
        title = str(source.get("title") or "Untitled document")
        links.append(SourceLink(title=title, url=url, excerpt=str(source.get("excerpt") or "")))
    return links


def _action_id(call: dict[str, Any]) -> str | None:
    result = call.get("result")
    if call.get("status") != "pending_approval" or not isinstance(result, dict):
        return None
    pk = parse_id(result.get("pending_action"))
    return str(pk) if pk else None


def bubbles(messages: Sequence[ChatMessage], *, thread_agent: str, notes: Iterable[str] = ()) -> list[Bubble]:
    """The messages as bubbles, with their pending actions loaded in one query."""
    calls_of = {
        message.pk: [call for call in message.tool_calls if isinstance(call, dict)]
        if isinstance(message.tool_calls, list)
        else []
        for message in messages
    }
    wanted = {pk for calls in calls_of.values() for call in calls if (pk := _action_id(call))}
    actions = {str(a.pk): a for a in PendingAction.objects.filter(pk__in=wanted)} if wanted else {}
    shown = []
    for message in messages:
        bubble = Bubble(message=message, routed=thread_agent == "coo" and message.agent not in ("", "coo"))
        if not bubble.is_user:
            bubble.sources = source_links(message.sources)
            bubble.calls = [
                CallLine(
                    name=str(call.get("name", "")),
                    label=tool_label(str(call.get("name", ""))),
                    status=str(call.get("status", "")),
                    status_label=CALL_STATUS_LABELS.get(str(call.get("status", "")), str(call.get("status", ""))),
                    error=str(call.get("error") or ""),
                    action=actions.get(_action_id(call) or ""),
                )
                for call in calls_of[message.pk]
            ]
        shown.append(bubble)
    if shown and notes:
        shown[-1].notes = list(notes)
    return shown
