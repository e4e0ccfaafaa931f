"""Knowledge search over the API: ``GET /api/v1/knowledge/search/?q=&property=&kind=&k=``.

The same hybrid search as the page (``knowledge.search.hybrid_search``). Any member of the team
may search. Results carry the passage's plain text: the highlighted snippet is HTML, which the
page renders and API clients should not have to sanitise.
"""

from __future__ import annotations

from typing import Any, cast

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import api_view
from rest_framework.request import Request
from rest_framework.response import Response

from api.fields import TeamObjectField
from crm.properties.models import Property
from crm.teams.types import TeamRequest
from knowledge.models import DocumentKind
from knowledge.search import MAX_K, SearchResult, hybrid_search


class KnowledgeSearchParamsSerializer(serializers.Serializer):
    q = serializers.CharField(max_length=300, help_text="What to look for: a question or a few words.")
    property = TeamObjectField(
        Property, required=False, help_text="A property id: its own passages and the team-wide ones."
    )
    kind = serializers.ChoiceField(choices=DocumentKind.choices, required=False, help_text="Only this kind.")
    k = serializers.IntegerField(min_value=1, max_value=MAX_K, default=10, help_text="How many results, at most.")


class KnowledgeSearchDocumentSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    title = serializers.CharField()


class KnowledgeSearchResultSerializer(serializers.Serializer):
    chunk = serializers.UUIDField(help_text="The passage's id.")
    document = KnowledgeSearchDocumentSerializer()
    property = serializers.UUIDField(allow_null=True, help_text="The property, or null for a team-wide passage.")
    kind = serializers.ChoiceField(choices=DocumentKind.choices)
    heading = serializers.CharField(help_text="The section the passage sits under.")
    text = serializers.CharField(help_text="The passage, as plain text.")
    score = serializers.FloatField(
        help_text="Reciprocal-rank fusion: the sum of 1/(60 + rank) over the vector and full-text rankings "
        "the passage is in (at most 2/61 ≈ 0.0328)."
    )
    vector_rank = serializers.IntegerField(allow_null=True, help_text="1-based rank by meaning, if ranked.")
    text_rank = serializers.IntegerField(allow_null=True, help_text="1-based rank by full-text match, if ranked.")

    def to_representation(self, result: SearchResult) -> dict[str, Any]:
        return {
            "chunk": str(result.chunk_id),
            "document": {"id": str(result.document_id), "title": result.document_title},
            "property": str(result.property.pk) if result.property else None,
            "kind": result.kind,
            "heading": result.heading,
            "text": result.text,
            "score": result.score,
            "vector_rank": result.vector_rank,
            "text_rank": result.text_rank,
        }


class KnowledgeSearchResponseSerializer(serializers.Serializer):
    query = serializers.CharField()
    results = KnowledgeSearchResultSerializer(many=True)


@extend_schema(
    operation_id="knowledge_search",
    summary="Search the team's knowledge base",
    description="Hybrid search: nearest passages by meaning and full-text matches, fused by reciprocal rank. "
    "Expired documents are left out.",
    parameters=[KnowledgeSearchParamsSerializer],
    responses=KnowledgeSearchResponseSerializer,
)
@api_view(["GET"])
def knowledge_search(request: Request) -> Response:
    params = KnowledgeSearchParamsSerializer(data=request.query_params)
    params.is_valid(raise_exception=True)
    data = params.validated_data
    results = hybrid_search(
        query=data["q"],
        team=cast(TeamRequest, request._request).team,
        property=data.get("property"),
        kind=data.get("kind"),
        k=data["k"],
    )
    return Response(
        {"query": data["q"], "results": KnowledgeSearchResultSerializer(results, many=True).data},
    )
