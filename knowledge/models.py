"""The knowledge base: documents a team uploads (or types), and the chunks search runs over.

Chunks carry ``team``, ``property``, ``kind`` and ``expires_on`` copied from their document so that
one index scan can filter by them without a join. Every embedder writes 384-dimension vectors
(settings.EMBEDDING_DIMENSIONS) into one column with one HNSW index; each chunk names the embedder
that produced it, and a team's search embeds the query with that same embedder.
"""

from __future__ import annotations

import builtins
from datetime import date
from typing import Any, ClassVar

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import Q
from django_scopes import ScopedManager
from pgvector.django import HnswIndex, VectorField

from crm.properties.models import Property
from crm.teams.models import Team, TeamOwned
from loriaa.ids import uuid7


class DocumentKind(models.TextChoices):
    FAQ = "faq", "FAQ"
    POLICY = "policy", "Policy"
    FEES = "fees", "Fees and pricing"
    AMENITIES = "amenities", "Amenities"
    LEASE_TERMS = "lease_terms", "Lease terms"
    APPLICATION = "application", "Application requirements"
    SPECIALS = "specials", "Specials"
    OTHER = "other", "Other"


class DocumentSource(models.TextChoices):
    FILE = "file", "Uploaded file"
    TEXT = "text", "Pasted text"
    QA = "qa", "Q&A entry"


class DocumentStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    PROCESSING = "processing", "Processing"
    READY = "ready", "Ready"
    FAILED = "failed", "Failed"


def document_upload_to(instance: Document, filename: str) -> str:
    # A generated key, never the uploaded name: no path tricks, no collisions, no personal data in URLs.
    extension = filename.rsplit(".", 1)[-1].lower()[:8] if "." in filename else "bin"
    return f"knowledge/{instance.team_id}/{uuid7().hex}.{extension}"


class Document(TeamOwned):
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="documents")
    property = models.ForeignKey(
        Property,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="documents",
        help_text="Leave empty for facts that hold for every property.",
    )
    title = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=DocumentKind.choices, default=DocumentKind.OTHER)
    source = models.CharField(max_length=10, choices=DocumentSource.choices, default=DocumentSource.FILE)
    file = models.FileField(upload_to=document_upload_to, blank=True, max_length=255)
    original_filename = models.CharField(max_length=255, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    size = models.PositiveIntegerField(default=0)
    content_hash = models.CharField(max_length=64, blank=True, help_text="SHA-256 of the file or text.")
    text = models.TextField(blank=True, help_text="Pasted text or the Q&A answer; extracted text is not stored here.")
    question = models.CharField(max_length=300, blank=True)
    status = models.CharField(max_length=12, choices=DocumentStatus.choices, default=DocumentStatus.PENDING)
    progress = models.PositiveSmallIntegerField(default=0, help_text="0 to 100 while processing.")
    error = models.TextField(blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    chunk_count = models.PositiveIntegerField(default=0)
    embedder = models.CharField(max_length=60, blank=True)
    expires_on = models.DateField(null=True, blank=True, help_text="Specials and fees that stop being true.")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects: ClassVar[Any] = ScopedManager(team="team")

    class Meta:
        default_manager_name = "objects"
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["team", "status"], name="document_team_status")]

    def __str__(self) -> str:
        return self.title

    @builtins.property
    def is_expired(self) -> bool:
        return self.expires_on is not None and self.expires_on < date.today()


class Chunk(TeamOwned):
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="chunks")
    property = models.ForeignKey(Property, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20, choices=DocumentKind.choices)
    expires_on = models.DateField(null=True, blank=True)
    ordinal = models.PositiveIntegerField()
    heading = models.CharField(max_length=300, blank=True)
    text = models.TextField()
    search_vector = SearchVectorField(null=True)
    embedding = VectorField(dimensions=384, null=True)
    embedder = models.CharField(max_length=60, blank=True)

    class Meta:
        default_manager_name = "objects"
        ordering = ["document", "ordinal"]
        constraints = [models.UniqueConstraint(fields=["document", "ordinal"], name="chunk_unique_ordinal")]
        indexes = [
            HnswIndex(
                name="chunk_embedding_hnsw",
                fields=["embedding"],
                m=16,
                ef_construction=64,
                opclasses=["vector_cosine_ops"],
            ),
            GinIndex(fields=["search_vector"], name="chunk_search_vector"),
            models.Index(fields=["team", "property", "kind"], name="chunk_team_filters"),
            models.Index(fields=["team"], name="chunk_team_unexpired", condition=Q(expires_on__isnull=True)),
        ]

    def __str__(self) -> str:
        return f"{self.document_id}#{self.ordinal}"
