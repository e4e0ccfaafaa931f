"""Knowledge documents over the API: list, upload (multipart), read, delete.

An upload is checked in full before the response (size, type by content, readable text): a bad
file is a 400 with the reason, and nothing is stored. A good one answers 201 with ``status``
``pending``; poll the document until it is ``ready`` (or ``failed``, with ``error``).
"""

from __future__ import annotations

from typing import cast

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import serializers, status, viewsets
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from api.fields import TeamObjectField
from api.pagination import KeysetPagination
from api.permissions import IsTeamMember, team_role
from crm.accounts.models import User
from crm.properties.models import Property
from crm.teams.types import TeamRequest
from knowledge.extraction import max_upload_bytes
from knowledge.models import Document, DocumentKind, DocumentStatus
from knowledge.permissions import CAN_EDIT, CAN_READ
from knowledge.services import document_create_upload, document_delete


class DocumentSerializer(serializers.ModelSerializer):
    property = serializers.UUIDField(
        source="property_id", allow_null=True, read_only=True, help_text="The property, or null for every property."
    )
    status = serializers.ChoiceField(
        choices=DocumentStatus.choices,
        read_only=True,
        help_text="pending → processing → ready; failed (see `error`) after a bad file or three failed attempts.",
    )

    class Meta:
        model = Document
        fields = [
            "id",
            "title",
            "kind",
            "source",
            "property",
            "status",
            "progress",
            "error",
            "attempts",
            "chunk_count",
            "original_filename",
            "content_type",
            "size",
            "question",
            "expires_on",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields
        extra_kwargs = {
            "progress": {"help_text": "0 to 100 while the document is read."},
            "chunk_count": {"help_text": "Passages in the search index."},
            "content_type": {"help_text": "The type found in the file's bytes (not its name)."},
            "size": {"help_text": "Bytes."},
        }


class DocumentUploadSerializer(serializers.Serializer):
    file = serializers.FileField(
        help_text=f"PDF, Word (.docx), HTML, Markdown or plain text, at most {max_upload_bytes() // 2**20} MB. "
        "The type is read from the content; the name is only shown."
    )
    title = serializers.CharField(
        max_length=200, required=False, allow_blank=True, help_text="Defaults to the file name."
    )
    property = TeamObjectField(
        Property, allow_null=True, required=False, help_text="A property of the team; omit for every property."
    )
    kind = serializers.ChoiceField(choices=DocumentKind.choices, default=DocumentKind.OTHER)
    expires_on = serializers.DateField(
        required=False, allow_null=True, help_text="For facts that stop being true (specials, fees)."
    )


class DocumentFilterSerializer(serializers.Serializer):
    property = serializers.UUIDField(required=False, help_text="A property id.")
    kind = serializers.ChoiceField(choices=DocumentKind.choices, required=False)
    status = serializers.ChoiceField(choices=DocumentStatus.choices, required=False)


@extend_schema_view(
    list=extend_schema(
        summary="List the team's knowledge documents, newest first", parameters=[DocumentFilterSerializer]
    ),
    retrieve=extend_schema(summary="One knowledge document, with its ingestion status"),
    destroy=extend_schema(summary="Delete a document, its passages and its file (agent role or higher)"),
)
class DocumentViewSet(viewsets.GenericViewSet):
    queryset = Document.objects.none()  # the model, for the schema; requests use get_queryset()
    serializer_class = DocumentSerializer
    pagination_class = KeysetPagination
    permission_classes = [IsAuthenticated, IsTeamMember, team_role(CAN_EDIT, safe=CAN_READ)]
    lookup_value_converter = "uuid"
    parser_classes = [MultiPartParser, FormParser]  # the only body is the upload

    def get_queryset(self) -> QuerySet[Document]:
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        return Document.objects.defer("text", "file")

    def list(self, request: Request) -> Response:
        filters = DocumentFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        documents = self.get_queryset().filter(**filters.validated_data)
        page = self.paginate_queryset(documents)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(
        summary="Upload a document (agent role or higher)",
        description="Multipart form with `file` and optional `title`, `property`, `kind`, `expires_on`. The file "
        "is checked before anything is stored: too large, an unsupported type (judged by content), a "
        "password-protected PDF, a zip bomb or a file without text is refused with 400 and the reason. "
        "Otherwise the document is created (201, `status` pending) and read in the background.",
        request={"multipart/form-data": DocumentUploadSerializer},
        responses={
            201: OpenApiResponse(DocumentSerializer, description="Stored; being read."),
            400: OpenApiResponse(description="The file or a field was refused; the body says why."),
        },
    )
    def create(self, request: Request) -> Response:
        upload = DocumentUploadSerializer(data=request.data)
        upload.is_valid(raise_exception=True)
        data = upload.validated_data
        team = cast(TeamRequest, request._request).team
        try:
            document = document_create_upload(
                team=team,
                upload=data["file"],
                title=data.get("title", ""),
                property=data.get("property"),
                kind=data["kind"],
                expires_on=data.get("expires_on"),
                actor=cast(User, request.user),
            )
        except DjangoValidationError as exc:
            raise serializers.ValidationError({"file": exc.messages}) from exc
        document.refresh_from_db()
        return Response(self.get_serializer(document).data, status=status.HTTP_201_CREATED)

    def retrieve(self, request: Request, pk: str) -> Response:
        return Response(self.get_serializer(self.get_object()).data)

    def destroy(self, request: Request, pk: str) -> Response:
        document_delete(document=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)
