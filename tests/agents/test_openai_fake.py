"""The scripted OpenAI fake itself, through the real ``openai`` SDK: what other tests rely on."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

import openai
import pytest

from tests.fakes.openai_server import ScriptedOpenAI, error, raw, reply, tool_call, tool_calls

HI = [{"role": "user", "content": "hi"}]


def client(fake: ScriptedOpenAI) -> openai.OpenAI:
    return openai.OpenAI(api_key="k", base_url=fake.base_url, max_retries=0)


def create(sdk: openai.OpenAI, **request: Any) -> Any:
    return sdk.chat.completions.create(**request)


def test_it_listens_on_loopback_and_answers_a_chat_completion_in_openais_shape() -> None:
    with ScriptedOpenAI(reply("Hello.", usage=(11, 2))) as fake, client(fake) as sdk:
        assert fake.base_url.startswith("http://127.0.0.1:")
        assert fake.base_url.endswith("/v1")
        completion = create(sdk, model="gpt-test", messages=HI)

    assert completion.object == "chat.completion"
    assert completion.model == "gpt-test"
    assert completion.id
    assert completion.created > 0
    choice = completion.choices[0]
    assert choice.finish_reason == "stop"
    assert (choice.message.role, choice.message.content) == ("assistant", "Hello.")
    assert completion.usage is not None
    assert (completion.usage.prompt_tokens, completion.usage.completion_tokens, completion.usage.total_tokens) == (
        11,
        2,
        13,
    )
    assert fake.requests == [{"model": "gpt-test", "messages": HI}]


def test_tool_calls_come_back_as_function_calls_with_json_arguments(openai_fake: ScriptedOpenAI) -> None:
    openai_fake.script(
        tool_call("search_leads", {"query": "Ada"}, ("get_lead", {"lead_id": "7"})),
        tool_calls(("funnel", {"days": 30}), content="Checking."),
    )
    with client(openai_fake) as sdk:
        first = create(sdk, model="m", messages=HI)
        second = create(sdk, model="m", messages=HI)

    assert first.choices[0].finish_reason == "tool_calls"
    calls = first.choices[0].message.tool_calls or []
    assert [(c.type, c.function.name, json.loads(c.function.arguments)) for c in calls] == [
        ("function", "search_leads", {"query": "Ada"}),
        ("function", "get_lead", {"lead_id": "7"}),
    ]
    assert second.choices[0].message.content == "Checking."


def test_a_structured_reply_is_a_json_string_and_the_response_format_is_recorded(openai_fake: ScriptedOpenAI) -> None:
    openai_fake.script(reply({"sentence": "Tour soon."}))
    schema = {"type": "json_schema", "json_schema": {"name": "x", "strict": True, "schema": {"type": "object"}}}
    with client(openai_fake) as sdk:
        completion = create(sdk, model="m", messages=HI, response_format=schema)
    assert json.loads(completion.choices[0].message.content or "") == {"sentence": "Tour soon."}
    assert openai_fake.last_request["response_format"] == schema


def test_errors_carry_their_status_body_and_headers(openai_fake: ScriptedOpenAI) -> None:
    openai_fake.script(error(429, headers={"retry-after": "2"}), error(401))
    with client(openai_fake) as sdk:
        with pytest.raises(openai.RateLimitError) as limited:
            create(sdk, model="m", messages=HI)
        with pytest.raises(openai.AuthenticationError):
            create(sdk, model="m", messages=HI)
    assert limited.value.response.headers["retry-after"] == "2"
    assert limited.value.type == "rate_limit_exceeded"


def test_the_responder_answers_once_the_script_is_used_up(openai_fake: ScriptedOpenAI) -> None:
    openai_fake.script(reply("scripted"))
    openai_fake.responder = lambda request: reply(f"echo {request['messages'][-1]['content']}")
    with client(openai_fake) as sdk:
        answers = [
            create(sdk, model="m", messages=[{"role": "user", "content": word}]).choices[0].message.content
            for word in ("one", "two", "three")
        ]
    assert answers == ["scripted", "echo two", "echo three"]
    assert openai_fake.remaining == 0


def test_an_exhausted_script_answers_500_and_is_reported() -> None:
    with (
        ScriptedOpenAI() as fake,
        client(fake) as sdk,
        pytest.raises(openai.InternalServerError, match="script is exhausted"),
    ):
        create(sdk, model="m", messages=HI)
    assert fake.unscripted == 1
    [problem] = fake.problems()
    assert "after its script ran out" in problem
    fake.allow_unscripted = True
    assert fake.problems() == []


def test_a_crashing_responder_is_a_500_and_a_reported_problem() -> None:
    def broken(request: dict[str, Any]) -> Any:
        raise KeyError("oops")

    with ScriptedOpenAI(responder=broken) as fake, client(fake) as sdk, pytest.raises(openai.InternalServerError):
        create(sdk, model="m", messages=HI)
    assert "KeyError" in fake.problems()[0]


def test_raw_bodies_are_sent_as_given(openai_fake: ScriptedOpenAI) -> None:
    openai_fake.script(raw({"choices": []}), raw("not json", status=200))
    with client(openai_fake) as sdk:
        empty = create(sdk, model="m", messages=HI)
        text = create(sdk, model="m", messages=HI)
    assert empty.choices == []
    assert text == "not json"


def test_other_paths_are_404(openai_fake: ScriptedOpenAI) -> None:
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(openai_fake.base_url + "/models", timeout=5)  # noqa: S310 - loopback
    assert caught.value.code == 404
    caught.value.close()
    assert openai_fake.requests == []


def test_llm_on_points_the_settings_at_the_fake(llm_on: ScriptedOpenAI, settings: Any) -> None:
    assert settings.OPENAI_ENABLED is True
    assert settings.OPENAI_API_KEY == "test-key"
    assert llm_on.base_url == settings.OPENAI_BASE_URL
