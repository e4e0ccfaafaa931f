"""The LLM gateway with the real ``openai`` SDK against the scripted loopback fake: tool calls parsed,
retries and backoff, errors mapped, the circuit breaker, and tokens metered to the team."""

from __future__ import annotations

import json
import logging
import socket
import time
from decimal import Decimal
from typing import Any

import pytest

from agents import breaker, gateway, llm
from agents.breaker import CircuitBreaker
from agents.gateway import ChatResult, Gateway, ToolCallRequest, get_chat_model
from agents.llm import CircuitOpen, LLMBadAnswer, LLMUnavailable
from crm.billing.models import UsageRecord
from crm.billing.services import usage_summary
from crm.teams.scoping import team_scope
from tests.conftest import TeamWorld
from tests.fakes.openai_server import ScriptedOpenAI, error, raw, reply, tool_call, tool_calls

HELLO = [{"role": "user", "content": "Which leads came in today?"}]
SEARCH_TOOL = {
    "type": "function",
    "function": {
        "name": "search_leads",
        "description": "Find leads.",
        "parameters": {
            "type": "object",
            "properties": {"query": {"type": "string"}},
            "required": ["query"],
            "additionalProperties": False,
        },
        "strict": True,
    },
}

pytestmark = pytest.mark.django_db


@pytest.fixture
def fake(llm_on: ScriptedOpenAI, settings: Any) -> ScriptedOpenAI:
    settings.OPENAI_AGENT_MODEL = "agent-model"
    return llm_on


def records(team_world: TeamWorld) -> list[UsageRecord]:
    with team_scope(team_world.team):
        return list(UsageRecord.objects.order_by("created_at"))


# --- answers ----------------------------------------------------------------------------------------


def test_a_tool_call_comes_back_parsed_with_its_raw_arguments(fake: ScriptedOpenAI, team_a: TeamWorld) -> None:
    fake.script(tool_call("search_leads", {"query": "Ada"}, usage=(120, 30)))

    result = Gateway().chat(team=team_a.team, messages=HELLO, tools=[SEARCH_TOOL])

    assert isinstance(result, ChatResult)
    assert result.content is None
    assert result.finish_reason == "tool_calls"
    [call] = result.tool_calls
    assert isinstance(call, ToolCallRequest)
    assert call.name == "search_leads"
    assert json.loads(call.arguments) == {"query": "Ada"}
    assert call.id.startswith("call_")
    assert (result.usage.prompt_tokens, result.usage.completion_tokens) == (120, 30)
    assert result.model == "agent-model"
    assert result.latency_ms > 0
    sent = fake.last_request
    assert sent["model"] == "agent-model"
    assert sent["messages"] == HELLO
    assert sent["tools"] == [SEARCH_TOOL]
    assert fake.request_headers[-1]["authorization"] == "Bearer test-key"


def test_several_tool_calls_in_one_answer_keep_their_order_and_malformed_arguments_stay_raw(
    fake: ScriptedOpenAI, team_a: TeamWorld
) -> None:
    fake.script(tool_calls(("get_lead", {"lead_id": "1"}), ("funnel", "{not json")))

    result = Gateway().chat(team=team_a.team, messages=HELLO)

    assert [(c.name, c.arguments) for c in result.tool_calls] == [
        ("get_lead", '{"lead_id": "1"}'),
        ("funnel", "{not json"),
    ]
    assert len({c.id for c in result.tool_calls}) == 2


def test_a_text_answer_and_the_response_format_are_passed_through(fake: ScriptedOpenAI, team_a: TeamWorld) -> None:
    fake.script(reply({"route": "leasing"}))
    response_format = {"type": "json_schema", "json_schema": {"name": "route", "strict": True, "schema": {}}}

    result = Gateway().chat(team=team_a.team, messages=HELLO, response_format=response_format, temperature=0)

    assert json.loads(result.content or "") == {"route": "leasing"}
    assert result.tool_calls == []
    assert result.finish_reason == "stop"
    assert fake.last_request["response_format"] == response_format
    assert fake.last_request["temperature"] == 0
    assert "tools" not in fake.last_request


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        (raw({"id": "x", "object": "chat.completion", "choices": []}), "no answer"),
        (raw("<html>gateway hiccup</html>"), "no answer"),
        (reply(""), "empty answer"),
        (reply(None, finish_reason="length"), "cut short"),
        (
            raw(
                {"choices": [{"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "refusal": "No."}}]}
            ),
            "declined",
        ),
    ],
    ids=["no-choices", "not-json", "empty", "truncated", "refusal"],
)
def test_an_unusable_answer_is_a_bad_answer(fake: ScriptedOpenAI, team_a: TeamWorld, answer: Any, message: str) -> None:
    fake.script(answer)
    with pytest.raises(LLMBadAnswer, match=message):
        Gateway().chat(team=team_a.team, messages=HELLO)
    assert len(fake.requests) == 1, "a bad answer is not retried"


# --- retries --------------------------------------------------------------------------------------


def test_a_rate_limit_is_retried_after_the_servers_retry_after(
    fake: ScriptedOpenAI, team_a: TeamWorld, backoff_sleeps: list[float], caplog: pytest.LogCaptureFixture
) -> None:
    fake.script(error(429, headers={"retry-after": "3"}), reply("ok"))

    with caplog.at_level(logging.INFO, logger="agents.gateway"):
        result = Gateway().chat(team=team_a.team, messages=HELLO)

    assert result.content == "ok"
    assert len(fake.requests) == 2
    assert backoff_sleeps == [3.0]
    [line] = [r for r in caplog.records if r.getMessage() == "LLM call ok"]
    assert line.attempts == 2  # type: ignore[attr-defined]


def test_a_long_retry_after_is_capped(fake: ScriptedOpenAI, team_a: TeamWorld, backoff_sleeps: list[float]) -> None:
    fake.script(error(429, headers={"retry-after-ms": "3600000"}), reply("ok"))
    Gateway().chat(team=team_a.team, messages=HELLO)
    assert backoff_sleeps == [gateway.RETRY_AFTER_CAP_SECONDS]


def test_server_errors_are_retried_with_growing_jittered_backoff(
    fake: ScriptedOpenAI, team_a: TeamWorld, backoff_sleeps: list[float]
) -> None:
    fake.script(error(500), error(502), reply("ok"))

    assert Gateway(max_retries=2).chat(team=team_a.team, messages=HELLO).content == "ok"

    assert len(fake.requests) == 3
    first, second = backoff_sleeps
    assert 0.25 <= first <= 0.5
    assert 0.5 <= second <= 1.0


def test_an_injected_sleep_replaces_the_module_one(fake: ScriptedOpenAI, team_a: TeamWorld) -> None:
    mine: list[float] = []
    fake.script(error(503), reply("ok"))
    Gateway(sleep=mine.append).chat(team=team_a.team, messages=HELLO)
    assert len(mine) == 1


@pytest.mark.parametrize("status", [400, 401, 403, 404])
def test_a_refusal_is_not_retried_and_says_the_status(
    fake: ScriptedOpenAI, team_a: TeamWorld, backoff_sleeps: list[float], status: int
) -> None:
    fake.script(error(status))

    with pytest.raises(LLMUnavailable) as caught:
        Gateway().chat(team=team_a.team, messages=HELLO)

    assert str(caught.value) == f"The language model refused the request (HTTP {status})."
    assert not isinstance(caught.value, CircuitOpen)
    assert len(fake.requests) == 1
    assert backoff_sleeps == []


def test_an_outage_that_outlasts_the_retries_is_unavailable(
    fake: ScriptedOpenAI, team_a: TeamWorld, backoff_sleeps: list[float], settings: Any
) -> None:
    settings.OPENAI_MAX_RETRIES = 2
    fake.script(error(503), error(503), error(503))

    with pytest.raises(LLMUnavailable, match=r"HTTP 503"):
        Gateway().chat(team=team_a.team, messages=HELLO)

    assert len(fake.requests) == 3
    assert len(backoff_sleeps) == 2
    assert records(team_a) == [], "nothing is billed for a call that never answered"


def test_an_unreachable_server_is_retried_then_unavailable(
    settings: Any, team_a: TeamWorld, backoff_sleeps: list[float]
) -> None:
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.OPENAI_API_KEY = "test-key"
    settings.OPENAI_ENABLED = True
    settings.OPENAI_BASE_URL = f"http://127.0.0.1:{port}/v1"

    with pytest.raises(LLMUnavailable, match="could not be reached"):
        Gateway(max_retries=1).chat(team=team_a.team, messages=HELLO)
    assert len(backoff_sleeps) == 1


def test_a_slow_server_times_out(fake: ScriptedOpenAI, team_a: TeamWorld) -> None:
    def slow(request: dict[str, Any]) -> Any:
        time.sleep(0.3)
        return reply("too late")

    fake.responder = slow
    with pytest.raises(LLMUnavailable, match="did not answer in time"):
        Gateway(max_retries=0).chat(team=team_a.team, messages=HELLO, timeout=0.05)


# --- circuit breaker ------------------------------------------------------------------------------


@pytest.fixture
def fragile(fake: ScriptedOpenAI, settings: Any) -> ScriptedOpenAI:
    settings.LLM_BREAKER_THRESHOLD = 3
    settings.LLM_BREAKER_COOLDOWN = 60
    settings.OPENAI_MAX_RETRIES = 0
    return fake


def fail_until_open(fake: ScriptedOpenAI, team_a: TeamWorld) -> None:
    fake.script(error(503), error(500), error(502))
    for _ in range(3):
        with pytest.raises(LLMUnavailable) as caught:
            Gateway().chat(team=team_a.team, messages=HELLO)
        assert not isinstance(caught.value, CircuitOpen)


def the_breaker(fake: ScriptedOpenAI) -> CircuitBreaker:
    return CircuitBreaker.for_endpoint(base_url=fake.base_url, model="agent-model")


def test_the_breaker_opens_after_consecutive_failures_and_then_fails_fast_without_a_request(
    fragile: ScriptedOpenAI, team_a: TeamWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(breaker, "now", lambda: 1_000.0)
    fail_until_open(fragile, team_a)
    assert the_breaker(fragile).state() == "open"

    monkeypatch.setattr(breaker, "now", lambda: 1_015.2)
    with pytest.raises(CircuitOpen) as caught:
        Gateway().chat(team=team_a.team, messages=HELLO)

    assert str(caught.value) == "The AI model is unavailable right now; retrying in 45 s."
    assert isinstance(caught.value, LLMUnavailable)
    assert len(fragile.requests) == 3, "an open breaker makes no request"


def test_after_the_cooldown_one_trial_call_goes_through_and_its_success_closes_the_breaker(
    fragile: ScriptedOpenAI, team_a: TeamWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(breaker, "now", lambda: 1_000.0)
    fail_until_open(fragile, team_a)

    monkeypatch.setattr(breaker, "now", lambda: 1_061.0)
    assert the_breaker(fragile).state() == "half-open"
    fragile.script(reply("back"))
    assert Gateway().chat(team=team_a.team, messages=HELLO).content == "back"

    assert the_breaker(fragile).state() == "closed"
    fragile.script(reply("still here"))
    assert Gateway().chat(team=team_a.team, messages=HELLO).content == "still here"
    assert len(fragile.requests) == 5


def test_a_failed_trial_opens_the_breaker_for_another_cooldown(
    fragile: ScriptedOpenAI, team_a: TeamWorld, monkeypatch: pytest.MonkeyPatch, backoff_sleeps: list[float]
) -> None:
    monkeypatch.setattr(breaker, "now", lambda: 1_000.0)
    fail_until_open(fragile, team_a)

    monkeypatch.setattr(breaker, "now", lambda: 1_061.0)
    fragile.script(error(503))
    with pytest.raises(LLMUnavailable, match="HTTP 503"):
        Gateway(max_retries=2).chat(team=team_a.team, messages=HELLO)
    assert len(fragile.requests) == 4, "the trial is a single attempt"
    assert backoff_sleeps == []

    with pytest.raises(CircuitOpen, match="retrying in 60 s"):
        Gateway().chat(team=team_a.team, messages=HELLO)
    assert len(fragile.requests) == 4


def test_while_the_trial_is_in_flight_other_calls_still_fail_fast(
    fragile: ScriptedOpenAI, team_a: TeamWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(breaker, "now", lambda: 1_000.0)
    fail_until_open(fragile, team_a)
    monkeypatch.setattr(breaker, "now", lambda: 1_061.0)

    first = the_breaker(fragile).before_call()  # another process holds the trial
    assert first.trial
    with pytest.raises(CircuitOpen):
        Gateway().chat(team=team_a.team, messages=HELLO)
    assert len(fragile.requests) == 3


def test_a_success_resets_the_count_of_consecutive_failures(fragile: ScriptedOpenAI, team_a: TeamWorld) -> None:
    fragile.script(error(503), error(503), reply("ok"), error(503), error(503), reply("fine"))
    outcomes = []
    for _ in range(6):
        try:
            outcomes.append(Gateway().chat(team=team_a.team, messages=HELLO).content)
        except LLMUnavailable as exc:
            outcomes.append(type(exc).__name__)
    assert outcomes == ["LLMUnavailable", "LLMUnavailable", "ok", "LLMUnavailable", "LLMUnavailable", "fine"]
    assert the_breaker(fragile).state() == "closed"


def test_refusals_do_not_open_the_breaker(fragile: ScriptedOpenAI, team_a: TeamWorld) -> None:
    fragile.script(*(error(400) for _ in range(4)))
    for _ in range(4):
        with pytest.raises(LLMUnavailable, match="HTTP 400"):
            Gateway().chat(team=team_a.team, messages=HELLO)
    assert the_breaker(fragile).state() == "closed"


def test_the_breaker_is_per_model_endpoint(
    fragile: ScriptedOpenAI, team_a: TeamWorld, team_b: TeamWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(breaker, "now", lambda: 1_000.0)
    fail_until_open(fragile, team_a)

    with pytest.raises(CircuitOpen):
        Gateway().chat(team=team_b.team, messages=HELLO)  # not per team: the endpoint is down for everyone
    fragile.script(reply("other model"))
    assert Gateway(model="another-model").chat(team=team_a.team, messages=HELLO).content == "other model"


def test_a_broken_cache_lets_calls_through(
    fake: ScriptedOpenAI, team_a: TeamWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise ConnectionError("redis is down")

    for name in ("get_many", "get", "add", "set", "incr", "delete", "delete_many"):
        monkeypatch.setattr(breaker.cache, name, broken)
    fake.script(reply("ok"))
    assert Gateway().chat(team=team_a.team, messages=HELLO).content == "ok"


# --- metering and logging -------------------------------------------------------------------------


def test_each_answer_is_metered_to_the_team_with_its_cost(
    fake: ScriptedOpenAI, team_a: TeamWorld, settings: Any
) -> None:
    settings.OPENAI_PRICE_INPUT_PER_MTOK = Decimal("0.15")
    settings.OPENAI_PRICE_OUTPUT_PER_MTOK = Decimal("0.60")
    fake.script(tool_call("search_leads", {"query": "Ada"}, usage=(1000, 500)), reply("Done.", usage=(2000, 10)))

    gw = Gateway()
    gw.chat(team=team_a.team, messages=HELLO)
    gw.chat(team=team_a.team, messages=HELLO, purpose="leasing")

    first, second = records(team_a)
    assert (first.kind, first.model, first.purpose) == ("ai_tokens", "agent-model", "agent")
    assert (first.prompt_tokens, first.completion_tokens) == (1000, 500)
    assert first.cost_usd == Decimal("0.000450")
    assert second.purpose == "leasing"
    assert second.cost_usd == Decimal("0.000306")
    assert usage_summary(team=team_a.team).cost_usd == Decimal("0.000756")


def test_a_bad_answer_still_costs_its_tokens(fake: ScriptedOpenAI, team_a: TeamWorld) -> None:
    fake.script(reply("", usage=(50, 0)))
    with pytest.raises(LLMBadAnswer):
        Gateway().chat(team=team_a.team, messages=HELLO)
    [record] = records(team_a)
    assert record.prompt_tokens == 50


def test_a_call_without_a_team_is_logged_not_billed(
    fake: ScriptedOpenAI, team_a: TeamWorld, caplog: pytest.LogCaptureFixture
) -> None:
    fake.script(reply("ok", usage=(7, 3)))
    with caplog.at_level(logging.INFO):
        Gateway().chat(team=None, messages=HELLO, purpose="system")
    assert any(r.getMessage() == "AI usage without a team" for r in caplog.records)
    from django_scopes import scopes_disabled

    with scopes_disabled():
        assert UsageRecord.objects.count() == 0


def test_a_metering_failure_never_breaks_the_call(
    fake: ScriptedOpenAI, team_a: TeamWorld, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from crm.billing import services

    def explode(**kwargs: Any) -> Decimal:
        raise RuntimeError("prices table is on fire")

    monkeypatch.setattr(services, "ai_cost_usd", explode)
    fake.script(reply("ok"))
    with caplog.at_level(logging.ERROR, logger="crm.billing.services"):
        assert Gateway().chat(team=team_a.team, messages=HELLO).content == "ok"
    assert records(team_a) == []
    assert "Could not record AI usage" in caplog.text


def test_the_log_line_has_the_numbers_and_never_the_prompt_or_answer(
    fake: ScriptedOpenAI, team_a: TeamWorld, caplog: pytest.LogCaptureFixture
) -> None:
    fake.script(reply("Ada Lovelace toured unit 4B", usage=(40, 8)))
    with caplog.at_level(logging.DEBUG):
        Gateway().chat(team=team_a.team, messages=[{"role": "user", "content": "Secret prospect Ada Lovelace"}])

    [line] = [r for r in caplog.records if r.name == "agents.gateway"]
    fields = vars(line)
    assert fields["team_id"] == str(team_a.team.pk)
    assert fields["model"] == "agent-model"
    assert (fields["prompt_tokens"], fields["completion_tokens"], fields["attempts"]) == (40, 8, 1)
    assert fields["latency_ms"] >= 0
    everything = " ".join(str(v) for v in fields.values()) + caplog.text
    assert "Ada" not in everything


# --- complete_json and get_chat_model -------------------------------------------------------------


def test_complete_json_goes_through_the_gateway_and_is_metered(
    fake: ScriptedOpenAI, team_a: TeamWorld, settings: Any
) -> None:
    settings.OPENAI_MODEL = "json-model"
    fake.script(reply({"sentence": "Book a tour."}, usage=(80, 20)))

    answer = llm.complete_json(
        system="s", user="u", schema={"type": "object"}, name="score_explanation", team=team_a.team
    )

    assert answer == {"sentence": "Book a tour."}
    assert fake.last_request["model"] == "json-model"
    assert fake.last_request["response_format"]["json_schema"]["name"] == "score_explanation"
    [record] = records(team_a)
    assert (record.purpose, record.model, record.prompt_tokens) == ("score_explanation", "json-model", 80)


def test_complete_json_uses_its_own_retry_budget(
    fake: ScriptedOpenAI, team_a: TeamWorld, monkeypatch: pytest.MonkeyPatch, backoff_sleeps: list[float]
) -> None:
    monkeypatch.setattr(llm, "MAX_RETRIES", 1)
    fake.script(error(503), error(503))
    with pytest.raises(LLMUnavailable, match="HTTP 503"):
        llm.complete_json(system="s", user="u", schema={"type": "object"}, team=team_a.team)
    assert len(fake.requests) == 2


def test_get_chat_model_is_the_gateway_only_with_a_key(settings: Any) -> None:
    settings.OPENAI_API_KEY = ""
    settings.OPENAI_ENABLED = False
    assert get_chat_model() is None

    settings.OPENAI_API_KEY = "sk-x"
    settings.OPENAI_ENABLED = True
    settings.OPENAI_AGENT_MODEL = "agent-model"
    model = get_chat_model()
    assert isinstance(model, Gateway)
    assert model.engine == "llm"
    assert model.model == "agent-model"
