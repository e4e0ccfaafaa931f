"""The chat pane: one agent, the user's history with it, a composer and the answers.

With htmx, sending answers at once with the user's bubble and a "thinking…" placeholder; the
placeholder posts the same message to ``answer``, which runs the turn and swaps itself for the
answer. Without JavaScript the composer is a plain form: the turn runs, then a redirect shows
the page again (post/redirect/get).

There is one route per agent (``chat-<agent>``), not an ``<agent>`` parameter: an unknown agent
is a 404 before any view runs, as in the API.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import reswap, retarget, trigger_client_event

from agents.forms import ChatForm
from agents.llm import CircuitOpen, LLMError
from agents.runtime import ContextNotFound
from agents.services.approvals import CAN_DECIDE
from agents.services.chat import ChatExchange, chat_clear, chat_messages, chat_send, chat_thread
from agents.tools.base import parse_id
from agents.views.present import CARDS, bubbles, engine_info
from crm.leads.models import Lead
from crm.leads.selectors import search_q
from crm.teams.access import team_required
from crm.teams.types import TeamRequest

logger = logging.getLogger(__name__)

LEAD_OPTIONS = 50
TEMPLATE = "agents/chat.html"


@dataclass(frozen=True)
class AgentUrls:
    chat: str
    answer: str
    clear: str


def agent_urls(agent: str) -> AgentUrls:
    return AgentUrls(
        chat=reverse(f"agents:chat-{agent}"),
        answer=reverse(f"agents:answer-{agent}"),
        clear=reverse(f"agents:clear-{agent}"),
    )


def lead_options(selected: Lead | None, query: str = "") -> list[Lead]:
    """A short list for the lead picker: the search's matches (or the newest leads), the chosen one first."""
    rows = Lead.objects.active().only("id", "first_name", "last_name", "email", "phone").order_by("-created_at")
    if query:
        rows = rows.filter(search_q(query))
    leads = list(rows[:LEAD_OPTIONS])
    if selected is not None:
        leads = [selected, *(lead for lead in leads if lead.pk != selected.pk)]
    return leads


def _selected_lead(raw: str | None) -> Lead | None:
    """The team's active lead with this id, else None (a stale or foreign id is just not preselected)."""
    pk = parse_id(raw) if raw else None
    if pk is None:
        return None
    lead: Lead | None = Lead.objects.active().select_related("property").filter(pk=pk).first()
    return lead


def _context_query(form: ChatForm) -> str:
    context = form.turn_context()
    query = {"lead": context.get("lead_id", ""), "property": context.get("property_id", "")}
    return urlencode({key: value for key, value in query.items() if value})


def render_chat(
    request: TeamRequest,
    agent: str,
    form: ChatForm,
    *,
    selected: Lead | None,
    lead_q: str = "",
    chat_error: str = "",
    status: int = 200,
) -> HttpResponse:
    thread = chat_thread(team=request.team, user=request.user, agent=agent)
    urls = agent_urls(agent)
    context = {
        "agent": agent,
        "card": CARDS[agent],
        "cards": CARDS.values(),
        "urls": urls,
        "engine": engine_info(),
        "bubbles": bubbles(chat_messages(thread=thread), thread_agent=agent),
        "form": form,
        "selected_lead": selected,
        "lead_options": lead_options(selected, lead_q),
        "lead_q": lead_q,
        "chat_error": chat_error,
        "can_decide": request.membership.has_role(CAN_DECIDE),
        "next_url": f"{urls.chat}?{lead_query(selected)}" if selected else urls.chat,
    }
    return render(request, TEMPLATE, context, status=status)


def lead_query(lead: Lead | None) -> str:
    return urlencode({"lead": str(lead.pk)}) if lead is not None else ""


def _run(request: TeamRequest, agent: str, form: ChatForm) -> tuple[ChatExchange | None, str]:
    """The turn, or the reason it could not run (shown in the pane; nothing is saved then)."""
    try:
        exchange = chat_send(
            team=request.team,
            user=request.user,
            agent=agent,
            message=form.cleaned_data["message"],
            context=form.turn_context(),
        )
    except CircuitOpen as exc:
        return None, f"{exc} Nothing was saved; send your message again in a moment."
    except LLMError as exc:
        logger.warning("Chat turn failed for team %s: %s", request.team.pk, exc)
        return None, f"The AI model could not answer: {exc} Nothing was saved; try again."
    except ContextNotFound as exc:
        return None, f"{exc.label} not found: pick another one."
    return exchange, ""


@require_http_methods(["GET", "POST"])
@team_required
def chat(request: TeamRequest, agent: str) -> HttpResponse:
    if request.method == "POST":
        return _send(request, agent)
    selected = _selected_lead(request.GET.get("lead"))
    initial: dict[str, Any] = {"lead": selected.pk if selected else None, "message": request.GET.get("message", "")}
    if selected is not None and selected.property_id:
        initial["property"] = selected.property_id
    if request.GET.get("property"):
        initial["property"] = request.GET["property"]
    form = ChatForm(initial=initial)
    return render_chat(request, agent, form, selected=selected, lead_q=request.GET.get("lead_q", "").strip()[:100])


def _send(request: TeamRequest, agent: str) -> HttpResponse:
    form = ChatForm(request.POST)
    if not form.is_valid():
        selected = _selected_lead(request.POST.get("lead"))
        if request.htmx:
            context = {
                "form": form,
                "urls": agent_urls(agent),
                "card": CARDS[agent],
                "lead_options": lead_options(selected),
                "selected_lead": selected,
            }
            response = render(request, f"{TEMPLATE}#composer", context, status=422)
            return reswap(retarget(response, "#composer"), "outerHTML")
        return render_chat(request, agent, form, selected=selected, status=422)
    if request.htmx:
        # The turn runs in the placeholder's own request, so the question shows at once.
        context = {"form": form, "urls": agent_urls(agent), "message": form.cleaned_data["message"]}
        return render(request, f"{TEMPLATE}#pending", context)
    exchange, error = _run(request, agent, form)
    if exchange is None:
        return render_chat(request, agent, form, selected=form.cleaned_data["lead"], chat_error=error, status=503)
    query = _context_query(form)
    return redirect(f"{agent_urls(agent).chat}{'?' + query if query else ''}#chat-end")


@require_POST
@team_required
def answer(request: TeamRequest, agent: str) -> HttpResponse:
    """Run the turn for a placeholder and answer with the reply bubble (or the reason there is none)."""
    form = ChatForm(request.POST)
    if not form.is_valid():
        reason = " ".join(str(error) for errors in form.errors.values() for error in errors)
        return render(request, f"{TEMPLATE}#chat-error", {"chat_error": reason}, status=422)
    exchange, error = _run(request, agent, form)
    if exchange is None:
        return render(request, f"{TEMPLATE}#chat-error", {"chat_error": error})
    answer_bubble = bubbles([exchange.answer], thread_agent=agent, notes=exchange.turn.notes)[0]
    selected = form.cleaned_data["lead"]
    urls = agent_urls(agent)
    context = {
        "bubble": answer_bubble,
        "can_decide": request.membership.has_role(CAN_DECIDE),
        "next_url": f"{urls.chat}?{lead_query(selected)}" if selected else urls.chat,
    }
    return trigger_client_event(render(request, f"{TEMPLATE}#answer", context), "agent-activity-changed")


@require_POST
@team_required
def clear(request: TeamRequest, agent: str) -> HttpResponse:
    chat_clear(thread=chat_thread(team=request.team, user=request.user, agent=agent))
    return redirect(agent_urls(agent).chat)


@require_GET
@team_required
def lead_picker(request: TeamRequest) -> HttpResponse:
    """The lead picker's options for a search (htmx swaps them into the select)."""
    selected = _selected_lead(request.GET.get("lead"))
    query = request.GET.get("lead_q", "").strip()[:100]
    context = {"lead_options": lead_options(selected, query), "selected_lead": selected}
    return render(request, f"{TEMPLATE}#lead-options", context)
