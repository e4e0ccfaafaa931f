"""``manage.py reembed_team``: a team's chunks get new vectors and record the embedder."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings
from pytest_httpserver import HTTPServer

from crm.teams.scoping import team_scope
from knowledge.embedders import MINILM_NAME, OfflineMiniLMEmbedder, embedder_for_team
from knowledge.models import Chunk, Document
from tests.conftest import TeamWorld
from tests.knowledge.passages import add_passage
from tests.knowledge.test_openai_embedder import FakeEmbeddings

OLD = "openai:text-embedding-3-small"
TEXTS = ["Dogs are welcome.", "Parking is $40 a month.", "The pool opens at 8am."]


def stale_team(world: TeamWorld) -> list[Chunk]:
    flat = [1.0] + [0.0] * 383
    return [add_passage(world.team, text, heading="House rules", embedding=flat, embedder=OLD) for text in TEXTS]


def reembed(*args: str) -> str:
    out = StringIO()
    call_command("reembed_team", *args, stdout=out)
    return out.getvalue()


def test_every_chunk_gets_a_new_vector_from_the_named_embedder(team_a: TeamWorld, team_b: TeamWorld) -> None:
    chunks = stale_team(team_a)
    others = stale_team(team_b)

    output = reembed("--team", team_a.team.slug, "--embedder", MINILM_NAME, "--batch-size", "2")

    assert f"Re-embedded 3 chunks of team {team_a.team.slug} with {MINILM_NAME}" in output
    expected = OfflineMiniLMEmbedder().embed([f"House rules\n{text}" for text in TEXTS])
    with team_scope(team_a.team):
        for chunk, vector in zip(chunks, expected, strict=True):
            chunk.refresh_from_db()
            assert chunk.embedder == MINILM_NAME
            assert list(chunk.embedding) == pytest.approx(vector, abs=1e-6)
        assert set(Document.objects.values_list("embedder", flat=True)) == {MINILM_NAME}
    assert embedder_for_team(team_a.team).name == MINILM_NAME
    with team_scope(team_b.team):  # another team's chunks are left as they were
        assert {c.embedder for c in Chunk.objects.filter(pk__in=[o.pk for o in others])} == {OLD}


def test_without_a_name_the_default_embedder_is_used(team_a: TeamWorld) -> None:
    stale_team(team_a)
    reembed("--team", team_a.team.slug)
    with team_scope(team_a.team):
        assert set(Chunk.objects.values_list("embedder", flat=True)) == {MINILM_NAME}


def test_a_team_can_move_to_openai(team_a: TeamWorld, httpserver: HTTPServer) -> None:
    add_passage(team_a.team, TEXTS[0])  # built offline
    fake = FakeEmbeddings()
    httpserver.expect_request("/v1/embeddings", method="POST").respond_with_handler(fake)
    with override_settings(OPENAI_ENABLED=True, OPENAI_API_KEY="sk-test", OPENAI_BASE_URL=httpserver.url_for("/v1")):
        reembed("--team", team_a.team.slug, "--embedder", OLD)
        assert embedder_for_team(team_a.team).name == OLD
    assert fake.requests[0]["input"] == [TEXTS[0]]


def test_resume_skips_chunks_the_embedder_already_built(team_a: TeamWorld) -> None:
    stale_team(team_a)
    add_passage(team_a.team, "Already offline.")
    output = reembed("--team", team_a.team.slug, "--embedder", MINILM_NAME, "--resume")
    assert "Re-embedded 3 chunks" in output


def test_a_failing_embedder_stops_the_run_with_a_clear_message(team_a: TeamWorld) -> None:
    stale_team(team_a)
    with pytest.raises(CommandError, match=r"OPENAI_API_KEY.*--resume"):
        reembed("--team", team_a.team.slug, "--embedder", "openai:text-embedding-3-large")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--team", "no-such-team"], "No team has the slug"),
        (["--team", "{slug}", "--embedder", "word2vec"], "No embedder is called"),
        (["--team", "{slug}", "--batch-size", "0"], "at least 1"),
    ],
)
def test_mistakes_are_reported(team_a: TeamWorld, args: list[str], message: str) -> None:
    with pytest.raises(CommandError, match=message):
        reembed(*[arg.format(slug=team_a.team.slug) for arg in args])
