"""The language-model engine, with the real ``openai`` SDK against a loopback fake of
``/v1/chat/completions`` (pytest-httpserver): structured JSON out, and copy that is too long or
fails the checker trimmed, regenerated with feedback, or blocked."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from agents import llm
from crm.marketing.services import MAX_REGENERATIONS, AdCopyResult, ad_copy_generate
from crm.properties.models import Property
from crm.teams.scoping import team_scope
from tests.marketing.conftest import PATTERN

COMPLETIONS = "/v1/chat/completions"

GOOD_META = {
    "primary_text": "Riverside Commons is now leasing 1- to 3-bedroom apartments in Austin from $1,525/month.",
    "headline": "Now Leasing in Austin",
    "description": "From $1,525/month",
    "call_to_action": "SIGN_UP",
}
GOOD_GOOGLE = {
    "headlines": ["Riverside Commons", "Apartments in Austin", "From $1,525/mo", "Schedule a Tour Today"],
    "descriptions": ["1- to 3-bedroom apartments in Austin, TX. Tour today.", "Now leasing. Apply online."],
}
BAD_META = {**GOOD_META, "primary_text": "A family-friendly community, perfect for families. Now leasing in Austin."}


def chat(answer: Any, *, finish_reason: str = "stop") -> dict[str, Any]:
    content = answer if isinstance(answer, str) else json.dumps(answer)
    return {
        "id": "chatcmpl-test",
        "object": "chat.completion",
        "created": 1_764_000_000,
        "model": "test-model",
        "choices": [{"index": 0, "finish_reason": finish_reason, "message": {"role": "assistant", "content": content}}],
        "usage": {"prompt_tokens": 100, "completion_tokens": 50, "total_tokens": 150},
    }


@pytest.fixture
def model(httpserver: HTTPServer, settings: Any, monkeypatch: pytest.MonkeyPatch) -> HTTPServer:
    settings.OPENAI_API_KEY = "sk-test-loopback"
    settings.OPENAI_ENABLED = True
    settings.OPENAI_BASE_URL = httpserver.url_for("/v1")
    settings.OPENAI_MODEL = "test-model"
    monkeypatch.setattr(llm, "MAX_RETRIES", 0)  # a scripted failure should fail at once
    return httpserver


def answers(server: HTTPServer, *bodies: dict[str, Any]) -> None:
    for body in bodies:
        server.expect_ordered_request(COMPLETIONS, method="POST").respond_with_json(body)


def sent(server: HTTPServer, number: int = 0) -> dict[str, Any]:
    request: Request = server.log[number][0]
    return json.loads(request.get_data())


def generate(prop: Property, platform: str = "facebook", count: int = 2, **options: Any) -> AdCopyResult:
    with team_scope(prop.team):
        return ad_copy_generate(
            team=prop.team,
            property=prop,
            platform=platform,
            objective=options.pop("objective", "leads"),
            tone="professional",
            count=count,
            **options,
        )


def test_the_model_is_asked_for_strict_json_from_the_propertys_facts(model: HTTPServer, place: Property) -> None:
    answers(model, chat({"variations": [GOOD_META, {**GOOD_META, "headline": "Apartments in Austin"}]}))

    result = generate(place, "facebook", count=2, highlights="rooftop pool")

    model.check_assertions()
    assert result.engine == "llm"
    assert result.variations == [GOOD_META, {**GOOD_META, "headline": "Apartments in Austin"}]
    assert result.blocked == []
    request = model.log[0][0]
    assert request.headers["Authorization"] == "Bearer sk-test-loopback"
    body = sent(model)
    assert body["model"] == "test-model"
    schema = body["response_format"]
    assert schema["type"] == "json_schema"
    assert schema["json_schema"]["strict"] is True
    variation = schema["json_schema"]["schema"]["properties"]["variations"]["items"]
    assert variation["required"] == ["primary_text", "headline", "description", "call_to_action"]
    assert variation["additionalProperties"] is False
    assert "APPLY_NOW" in variation["properties"]["call_to_action"]["enum"]
    system, user = body["messages"]
    assert "Fair Housing" in system["content"]
    for fact in ("Riverside Commons", "$1,525 per month", "1- to 3-bedroom apartments", "rooftop pool", "at most 125"):
        assert fact in user["content"]
    assert "$995" not in user["content"], "an occupied unit's rent is not a fact the ad may state"


def test_google_copy_from_the_model_has_headlines_and_descriptions(model: HTTPServer, place: Property) -> None:
    answers(model, chat({"variations": [GOOD_GOOGLE]}))
    result = generate(place, "google", count=1)
    assert result.variations == [GOOD_GOOGLE]
    items = sent(model)["response_format"]["json_schema"]["schema"]["properties"]["variations"]["items"]
    assert items["required"] == ["headlines", "descriptions"]
    assert "at most 30 characters" in items["properties"]["headlines"]["items"]["description"]


def test_over_long_copy_from_the_model_is_trimmed_on_word_boundaries(model: HTTPServer, place: Property) -> None:
    long_meta = {
        "primary_text": "Riverside Commons is now leasing. "
        + "Spacious light-filled homes with generous closets. " * 4,
        "headline": "Riverside Commons Is Now Leasing Spacious Homes",
        "description": "Spacious one to three bedroom homes",
        "call_to_action": "BOOK_TRAVEL",
    }
    answers(model, chat({"variations": [long_meta]}))

    variation = generate(place, "facebook", count=1).variations[0]

    assert variation == {
        "primary_text": "Riverside Commons is now leasing. Spacious light-filled homes with generous closets.",
        "headline": "Riverside Commons Is Now Leasing",
        "description": "Spacious one to three bedroom",
        "call_to_action": "SIGN_UP",  # not on Meta's list for housing: the objective's default
    }
    assert len(model.log) == 1, "trimming was enough: no second call"


def test_copy_that_cannot_fit_is_regenerated_with_the_problem_as_feedback(model: HTTPServer, place: Property) -> None:
    unfit = {"headlines": ["Riverside", "Supercalifragilisticexpialidocious"], "descriptions": ["One."]}
    answers(model, chat({"variations": [unfit]}), chat({"variations": [GOOD_GOOGLE]}))

    result = generate(place, "google", count=1)

    model.check_assertions()
    assert result.variations == [GOOD_GOOGLE]
    assert result.blocked == []
    retry = sent(model, 1)["messages"][1]["content"]
    assert "Earlier variations were rejected" in retry
    assert "at least 3 different headlines of up to 30 characters" in retry
    assert "Write 1 different ad variation " in retry


def test_copy_that_fails_the_checker_is_regenerated_and_only_the_clean_copy_is_shown(
    model: HTTPServer, place: Property, strict_checker: Callable[..., Any]
) -> None:
    answers(
        model,
        chat({"variations": [GOOD_META, BAD_META]}),
        chat({"variations": [{**GOOD_META, "headline": "Tour Riverside Commons"}]}),
    )

    result = generate(place, "facebook", count=2)

    model.check_assertions()
    assert result.engine == "llm"
    assert result.variations == [GOOD_META, {**GOOD_META, "headline": "Tour Riverside Commons"}]
    assert result.blocked == []
    assert result.notes == ["1 variation failed a check and was regenerated."]
    retry = sent(model, 1)["messages"][1]["content"]
    assert "Write 1 different ad variation " in retry
    assert (
        "Do not write “family-friendly” (familial status): Refers to familial status. Use “welcoming” instead." in retry
    )
    assert PATTERN.search(json.dumps(result.variations)) is None


def test_copy_that_keeps_failing_the_checker_is_blocked_with_its_findings(
    model: HTTPServer, place: Property, strict_checker: Callable[..., Any]
) -> None:
    answers(model, *[chat({"variations": [BAD_META]})] * (1 + MAX_REGENERATIONS))

    result = generate(place, "facebook", count=1)

    model.check_assertions()
    assert len(model.log) == 1 + MAX_REGENERATIONS
    assert result.variations == []
    assert len(result.blocked) == 1
    blocked = result.blocked[0]
    assert (
        blocked.reason
        == "Failed the Fair Housing check: “family-friendly” (familial status), “families” (familial status)."
    )
    assert [f["phrase"] for f in blocked.findings] == ["family-friendly", "families"]


def test_no_regeneration_starts_once_the_time_budget_is_spent(
    model: HTTPServer, place: Property, strict_checker: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from crm.marketing import services

    monkeypatch.setattr(services, "LLM_BUDGET_SECONDS", services.MIN_ROUND_SECONDS - 1)
    answers(model, chat({"variations": [BAD_META]}))

    result = generate(place, "facebook", count=1)

    assert len(model.log) == 1, "a web request must not outlive the worker timeout"
    assert result.variations == []
    assert len(result.blocked) == 1


def test_without_an_answer_from_the_model_the_offline_templates_write_the_copy(
    model: HTTPServer, place: Property
) -> None:
    model.expect_request(COMPLETIONS, method="POST").respond_with_json({"error": {"message": "down"}}, status=503)

    result = generate(place, "facebook", count=2)

    assert result.engine == "offline"
    assert len(result.variations) == 2
    assert result.notes[-1] == (
        "The language model refused the request (HTTP 503). This copy comes from the offline templates instead."
    )


def test_a_model_failing_during_regeneration_blocks_only_what_failed(
    model: HTTPServer, place: Property, strict_checker: Callable[..., Any]
) -> None:
    model.expect_ordered_request(COMPLETIONS, method="POST").respond_with_json(
        chat({"variations": [GOOD_META, BAD_META]})
    )
    model.expect_ordered_request(COMPLETIONS, method="POST").respond_with_response(Response("oops", status=500))

    result = generate(place, "facebook", count=2)

    assert result.engine == "llm"
    assert result.variations == [GOOD_META]
    assert len(result.blocked) == 1


# --- agents.llm on its own ------------------------------------------------------------------------


def test_complete_json_refuses_to_run_without_a_key(settings: Any) -> None:
    settings.OPENAI_ENABLED = False
    with pytest.raises(llm.LLMUnavailable, match="OPENAI_API_KEY"):
        llm.complete_json(system="s", user="u", schema={"type": "object"})


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (chat("not json at all"), "did not answer in JSON"),
        (chat("[1, 2]"), "not an object"),
        (chat('{"variations": ['), "cut short"),
        ({**chat("{}"), "choices": []}, "no answer"),
    ],
    ids=["prose", "array", "truncated", "empty"],
)
def test_complete_json_names_an_unusable_answer(model: HTTPServer, body: dict[str, Any], message: str) -> None:
    if message == "cut short":
        body["choices"][0]["finish_reason"] = "length"
    model.expect_request(COMPLETIONS, method="POST").respond_with_json(body)
    with pytest.raises(llm.LLMBadAnswer, match=message):
        llm.complete_json(system="s", user="u", schema={"type": "object"})


def test_complete_json_reports_an_unreachable_server(settings: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    settings.OPENAI_ENABLED = True
    settings.OPENAI_API_KEY = "sk-test"
    settings.OPENAI_BASE_URL = "http://127.0.0.1:9/v1"  # the discard port: nothing listens
    monkeypatch.setattr(llm, "MAX_RETRIES", 0)
    with pytest.raises(llm.LLMUnavailable, match="could not be reached"):
        llm.complete_json(system="s", user="u", schema={"type": "object"})


def test_the_page_and_the_api_say_the_ai_model_wrote_the_copy(model: HTTPServer, team_a: Any, place: Property) -> None:
    from django.urls import reverse

    from crm.teams.roles import Role
    from tests.conftest import api_client_for, login

    answers(model, chat({"variations": [GOOD_META]}), chat({"variations": [GOOD_META]}))
    form = {"property": str(place.pk), "platform": "facebook", "objective": "leads", "tone": "friendly"}

    page = login(team_a.user(Role.AGENT)).post(reverse("marketing:ad-copy"), {**form, "variations": "1"})
    api = api_client_for(team_a.membership(Role.AGENT)).post(
        reverse("api:ad-copy-generate"), {**form, "variations": 1}, format="json"
    )

    assert 'data-engine="llm"' in page.content.decode()
    assert "Written by the AI model" in page.content.decode()
    assert api.json()["engine"] == "llm"
    assert api.json()["variations"] == [GOOD_META]
