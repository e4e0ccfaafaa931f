"""The OpenAI embedder, through the real ``openai`` SDK, against a loopback fake of /v1/embeddings.

The SDK asks for ``encoding_format="base64"`` (little-endian float32) unless told otherwise; the
fake answers in whichever format was asked for, as the API does.
"""

from __future__ import annotations

import base64
import hashlib
import json
import math
import random
import struct
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.test import override_settings
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from knowledge import embedders
from knowledge.embedders import EmbeddingError, OpenAIEmbedder, get_embedder


def fake_vector(text: str, dimensions: int) -> list[float]:
    """Deterministic and deliberately not unit length: the embedder must normalise."""
    seed = int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big")
    rng = random.Random(seed)
    return [rng.uniform(-2, 2) for _ in range(dimensions)]


def unit(vector: list[float]) -> list[float]:
    norm = math.sqrt(sum(v * v for v in vector))
    return [v / norm for v in vector]


@dataclass
class FakeEmbeddings:
    requests: list[dict[str, Any]] = field(default_factory=list)
    authorizations: list[str] = field(default_factory=list)
    shuffle: bool = False
    dimensions_override: int | None = None

    def __call__(self, request: Request) -> Response:
        body = json.loads(request.get_data())
        self.requests.append(body)
        self.authorizations.append(request.headers.get("Authorization", ""))
        inputs = body["input"] if isinstance(body["input"], list) else [body["input"]]
        dimensions = self.dimensions_override or body.get("dimensions", 1536)
        data = []
        for index, text in enumerate(inputs):
            vector = fake_vector(text, dimensions)
            if body.get("encoding_format") == "base64":
                embedding: Any = base64.b64encode(struct.pack(f"<{len(vector)}f", *vector)).decode()
            else:
                embedding = vector
            data.append({"object": "embedding", "index": index, "embedding": embedding})
        if self.shuffle:
            data.reverse()  # the API may answer out of order: ``index`` says which input is which
        payload = {
            "object": "list",
            "data": data,
            "model": body["model"],
            "usage": {"prompt_tokens": len(inputs), "total_tokens": len(inputs)},
        }
        return Response(json.dumps(payload), content_type="application/json")


@pytest.fixture
def openai_on(httpserver: HTTPServer) -> Iterator[HTTPServer]:
    with override_settings(
        OPENAI_ENABLED=True,
        OPENAI_API_KEY="sk-test-embeddings",
        OPENAI_BASE_URL=httpserver.url_for("/v1"),
        OPENAI_EMBEDDING_MODEL="text-embedding-3-small",
    ):
        yield httpserver


@pytest.fixture
def fake(openai_on: HTTPServer) -> FakeEmbeddings:
    handler = FakeEmbeddings()
    openai_on.expect_request("/v1/embeddings", method="POST").respond_with_handler(handler)
    return handler


def fail_once(server: HTTPServer, status: int) -> None:
    # Retry-After in milliseconds keeps the SDK's back-off short in tests.
    server.expect_oneshot_request("/v1/embeddings", method="POST").respond_with_json(
        {"error": {"message": "try again", "type": "server_error"}}, status=status, headers={"retry-after-ms": "5"}
    )


def float32(vector: list[float]) -> list[float]:
    return list(struct.unpack(f"<{len(vector)}f", struct.pack(f"<{len(vector)}f", *vector)))


def test_the_default_embedder_with_a_key_asks_for_384_dimensions_of_text_embedding_3_small(
    fake: FakeEmbeddings,
) -> None:
    embedder = get_embedder()
    assert isinstance(embedder, OpenAIEmbedder)

    vectors = embedder.embed(["Do you allow dogs?", "Is parking included?"])

    (request,) = fake.requests
    assert request["model"] == "text-embedding-3-small"
    assert request["dimensions"] == 384
    assert request["encoding_format"] == "base64"
    assert request["input"] == ["Do you allow dogs?", "Is parking included?"]
    assert fake.authorizations == ["Bearer sk-test-embeddings"]
    for vector, text in zip(vectors, ["Do you allow dogs?", "Is parking included?"], strict=True):
        assert len(vector) == 384
        assert vector == pytest.approx(unit(float32(fake_vector(text, 384))), abs=1e-6)
        assert math.sqrt(sum(v * v for v in vector)) == pytest.approx(1.0, abs=1e-6)


def test_many_texts_go_in_batches_and_come_back_in_order(fake: FakeEmbeddings, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(embedders, "OPENAI_BATCH_SIZE", 4)
    fake.shuffle = True
    texts = [f"passage {n}" for n in range(10)]

    vectors = OpenAIEmbedder().embed(texts)

    assert [len(r["input"]) for r in fake.requests] == [4, 4, 2]
    assert [text for r in fake.requests for text in r["input"]] == texts
    for vector, text in zip(vectors, texts, strict=True):
        assert vector == pytest.approx(unit(float32(fake_vector(text, 384))), abs=1e-6)


def test_a_batch_also_ends_before_it_grows_too_long(fake: FakeEmbeddings, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(embedders, "OPENAI_BATCH_CHARS", 100)
    OpenAIEmbedder().embed(["a" * 60, "b" * 60, "c" * 30, "d" * 200])
    assert [[text[0] for text in r["input"]] for r in fake.requests] == [["a"], ["b", "c"], ["d"]]


def test_blank_texts_are_sent_as_a_space_because_the_api_refuses_empty_input(fake: FakeEmbeddings) -> None:
    vectors = OpenAIEmbedder().embed(["", "   "])
    assert fake.requests[0]["input"] == [" ", " "]
    assert len(vectors) == 2


@pytest.mark.parametrize("status", [429, 500, 503])
def test_a_rate_limit_or_server_error_is_retried(openai_on: HTTPServer, status: int) -> None:
    fail_once(openai_on, status)
    fake = FakeEmbeddings()
    openai_on.expect_request("/v1/embeddings", method="POST").respond_with_handler(fake)

    vectors = OpenAIEmbedder().embed(["Do you allow dogs?"])

    assert len(vectors) == 1
    assert len(fake.requests) == 1
    assert len(openai_on.log) == 2  # the failure, then the retry


def test_an_outage_that_outlasts_the_retries_is_an_embedding_error(openai_on: HTTPServer) -> None:
    openai_on.expect_request("/v1/embeddings", method="POST").respond_with_json(
        {"error": {"message": "down"}}, status=500, headers={"retry-after-ms": "1"}
    )
    with pytest.raises(EmbeddingError, match="HTTP 500"):
        OpenAIEmbedder(max_retries=2).embed(["Do you allow dogs?"])
    assert len(openai_on.log) == 3


def test_a_refused_key_is_not_retried(openai_on: HTTPServer) -> None:
    openai_on.expect_request("/v1/embeddings", method="POST").respond_with_json(
        {"error": {"message": "Incorrect API key provided", "type": "invalid_request_error"}}, status=401
    )
    with pytest.raises(EmbeddingError, match="HTTP 401"):
        OpenAIEmbedder().embed(["Do you allow dogs?"])
    assert len(openai_on.log) == 1


def test_an_unreachable_api_is_an_embedding_error() -> None:
    with (
        override_settings(OPENAI_ENABLED=True, OPENAI_API_KEY="sk-test", OPENAI_BASE_URL="http://127.0.0.1:9/v1"),
        pytest.raises(EmbeddingError, match="could not be reached"),
    ):
        OpenAIEmbedder(max_retries=0).embed(["Do you allow dogs?"])


def test_vectors_of_the_wrong_size_are_refused(fake: FakeEmbeddings) -> None:
    fake.dimensions_override = 1536  # a server that ignores ``dimensions``
    with pytest.raises(EmbeddingError, match="wrong shape"):
        OpenAIEmbedder().embed(["Do you allow dogs?"])


def test_without_a_key_nothing_is_sent(httpserver: HTTPServer) -> None:
    with override_settings(OPENAI_BASE_URL=httpserver.url_for("/v1")), pytest.raises(EmbeddingError, match="KEY"):
        OpenAIEmbedder().embed(["Do you allow dogs?"])
    assert httpserver.log == []


def test_nothing_to_embed_sends_nothing(fake: FakeEmbeddings) -> None:
    assert OpenAIEmbedder().embed([]) == []
    assert fake.requests == []
