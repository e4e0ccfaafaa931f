"""Conversations over the API: list and read the team's threads and their messages, and reply.

A reply goes through ``send_message`` like the inbox composer: consent, address and Fair Housing
checks apply, and a refusal is a 409 with the reason and its code (nothing is stored).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, cast

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view, inline_serializer
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from api.pagination import KeysetPagination
from api.permissions import IsTeamMember, team_role
from crm.accounts.models import User
from crm.inbox.models import Channel, Conversation, ConversationStatus, Message
from crm.inbox.services.sending import SendRefused, send_message, warnings_of
from crm.leads.permissions import CAN_VIEW, CAN_WORK


def _moment(value: datetime | None) -> str | None:
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z") if value else None


def _id(value: Any) -> str | None:
    return str(value) if value else None


class ConversationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Conversation
        fields = [
            "id", "lead", "property", "channel", "status", "assignee", "ai_enabled", "unread", "subject",
            "last_preview", "last_message_at", "last_inbound_at", "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = fields

    def to_representation(self, conversation: Conversation) -> dict[str, Any]:
        # By hand, like the leads API: no per-field lookups, and ids without loading the rows.
        return {
            "id": str(conversation.pk),
            "lead": str(conversation.lead_id),
            "property": _id(conversation.property_id),
            "channel": conversation.channel,
            "status": conversation.status,
            "assignee": _id(conversation.assignee_id),
            "ai_enabled": conversation.ai_enabled,
            "unread": conversation.unread,
            "subject": conversation.subject,
            "last_preview": conversation.last_preview,
            "last_message_at": _moment(conversation.last_message_at),
            "last_inbound_at": _moment(conversation.last_inbound_at),
            "created_at": _moment(conversation.created_at),
            "updated_at": _moment(conversation.updated_at),
        }


class AttachmentSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    filename = serializers.CharField()
    content_type = serializers.CharField()
    size = serializers.IntegerField()


class MessageSerializer(serializers.ModelSerializer):
    attachments = AttachmentSerializer(many=True, read_only=True)
    author = serializers.CharField(
        source="author_label", read_only=True, help_text='The prospect, a teammate, "AI (<agent>)" or "Automated".'
    )

    class Meta:
        model = Message
        fields = [
            "id", "conversation", "lead", "direction", "channel", "body", "subject", "status", "transport",
            "from_address", "to_address", "error", "author", "sent_by", "sent_by_agent", "automated", "send_after",
            "sent_at", "delivered_at", "created_at", "attachments",
        ]  # fmt: skip
        read_only_fields = fields


class ReplySerializer(serializers.Serializer):
    body = serializers.CharField(max_length=20000, help_text="The text to send.")
    subject = serializers.CharField(
        max_length=200, required=False, allow_blank=True, help_text="Email only: defaults to the thread's subject."
    )


class FairHousingWarningSerializer(serializers.Serializer):
    phrase = serializers.CharField()
    category = serializers.CharField()
    reason = serializers.CharField()
    suggestion = serializers.CharField()


class SentMessageSerializer(MessageSerializer):
    fair_housing_warnings = FairHousingWarningSerializer(
        many=True, read_only=True, help_text="Wording to check: the message was sent, with these warnings."
    )

    class Meta(MessageSerializer.Meta):
        fields = [*MessageSerializer.Meta.fields, "fair_housing_warnings"]
        read_only_fields = fields


class ConversationFilterSerializer(serializers.Serializer):
    lead = serializers.UUIDField(required=False, help_text="Only this lead's conversations.")
    status = serializers.ChoiceField(choices=ConversationStatus.choices, required=False)
    channel = serializers.ChoiceField(choices=Channel.choices, required=False)


REFUSED = inline_serializer(
    "SendRefused",
    fields={
        "detail": serializers.CharField(help_text="Why the message may not go out."),
        "code": serializers.CharField(help_text="opted_out, no_address, fair_housing, empty or too_long."),
    },
)


@extend_schema_view(
    list=extend_schema(
        summary="List the team's conversations, newest first", parameters=[ConversationFilterSerializer]
    ),
    retrieve=extend_schema(summary="One conversation"),
)
class ConversationViewSet(viewsets.GenericViewSet):
    queryset = Conversation.objects.none()  # the model, for the schema; requests use get_queryset()
    serializer_class = ConversationSerializer
    pagination_class = KeysetPagination
    permission_classes = [IsAuthenticated, IsTeamMember, team_role(CAN_WORK, safe=CAN_VIEW)]
    lookup_value_converter = "uuid"

    def get_queryset(self) -> QuerySet[Conversation]:
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        return Conversation.objects.all()

    def list(self, request: Request) -> Response:
        filters = ConversationFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        conversations = self.get_queryset().filter(
            **{name: value for name, value in filters.validated_data.items() if value}
        )
        page = self.paginate_queryset(conversations)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request: Request, pk: str) -> Response:
        return Response(self.get_serializer(self.get_object()).data)

    @extend_schema(
        methods=["GET"],
        summary="A conversation's messages, newest first",
        responses=MessageSerializer(many=True),
    )
    @extend_schema(
        methods=["POST"],
        summary="Reply in a conversation (agent role or higher)",
        description="Sends on the conversation's channel through the same checks as the inbox: a prospect who "
        "opted out, a missing number or address, or wording held for Fair Housing review is refused with 409 "
        "and nothing is stored. Staff wording with Fair Housing findings is sent, with `fair_housing_warnings`.",
        request=ReplySerializer,
        responses={
            201: OpenApiResponse(SentMessageSerializer, description="Queued for delivery."),
            409: OpenApiResponse(REFUSED, description="The message may not go out."),
        },
    )
    @action(detail=True, methods=["get", "post"], serializer_class=MessageSerializer)
    def messages(self, request: Request, pk: str) -> Response:
        conversation = self.get_object()
        if request.method == "POST":
            return self._reply(request, conversation)
        thread = conversation.messages.select_related("lead", "sent_by").prefetch_related("attachments")
        page = self.paginate_queryset(thread)
        return self.get_paginated_response(MessageSerializer(page, many=True).data)

    def _reply(self, request: Request, conversation: Conversation) -> Response:
        reply = ReplySerializer(data=request.data)
        reply.is_valid(raise_exception=True)
        try:
            message = send_message(
                lead=conversation.lead,
                body=reply.validated_data["body"],
                channel=conversation.channel,
                user=cast(User, request.user),
                subject=reply.validated_data.get("subject", ""),
            )
        except SendRefused as exc:
            return Response({"detail": str(exc), "code": exc.code}, status=status.HTTP_409_CONFLICT)
        warnings = [finding.as_dict() for finding in warnings_of(message)]
        stored = Message.objects.select_related("lead", "sent_by").prefetch_related("attachments").get(pk=message.pk)
        stored.fair_housing_warnings = warnings  # type: ignore[attr-defined]
        return Response(SentMessageSerializer(stored).data, status=status.HTTP_201_CREATED)
