"""Chunks written straight into the index, with the vectors a search test needs."""

from __future__ import annotations

from datetime import date

from django.db.models.expressions import RawSQL

from crm.properties.models import Property
from crm.teams.models import Team
from crm.teams.scoping import team_scope
from knowledge.embedders import MINILM_NAME, OfflineMiniLMEmbedder
from knowledge.ingestion import SEARCH_VECTOR_SQL
from knowledge.models import Chunk, Document


def add_passage(
    team: Team,
    text: str,
    *,
    title: str = "Community policies",
    heading: str = "",
    embedding: list[float] | None = None,
    embedder: str = MINILM_NAME,
    property: Property | None = None,
    kind: str = "policy",
    expires_on: date | None = None,
) -> Chunk:
    """One document with one chunk; embedded with MiniLM unless ``embedding`` is given."""
    if embedding is None:
        embedding = OfflineMiniLMEmbedder().embed([f"{heading}\n{text}" if heading else text])[0]
    with team_scope(team):
        document = Document.objects.create(
            team=team,
            property=property,
            title=title,
            kind=kind,
            source="text",
            status="ready",
            text=text,
            expires_on=expires_on,
            embedder=embedder,
            chunk_count=1,
        )
        chunk = Chunk.objects.create(
            team=team,
            document=document,
            property=property,
            kind=kind,
            expires_on=expires_on,
            ordinal=0,
            heading=heading,
            text=text,
            embedding=embedding,
            embedder=embedder,
        )
        Chunk.objects.filter(pk=chunk.pk).update(search_vector=RawSQL(SEARCH_VECTOR_SQL, []))  # noqa: S611
    return chunk
