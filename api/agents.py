"""The AI agents over the API: run a turn, decide on what an agent proposed, read the audit log.

- ``POST /api/v1/agents/{coo|leasing|marketing|property}/execute/``: one turn. Any member may ask;
  each tool checks the caller's role, and side effects come back as pending actions.
- ``GET /api/v1/agents/actions/``: what waits for approval; ``POST .../{id}/approve/`` and
  ``.../{id}/reject/`` decide (agent role or higher).
- ``GET /api/v1/agents/activity/``: the audit log, newest first, optionally for one lead.

Context ids (``lead_id``, ``property_id``) of another team answer 404, like ids that never existed.
"""

from __future__ import annotations

from typing import Any, cast

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import generics, serializers, status
from rest_framework.decorators import api_view, permission_classes, throttle_classes
from rest_framework.exceptions import NotFound
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.throttling import BaseThrottle, UserRateThrottle

from agents.models import (
    ActivityKind,
    ActivityStatus,
    AgentActivity,
    AgentName,
    Engine,
    PendingAction,
    PendingStatus,
    ToolCallStatus,
)
from agents.runtime import MAX_MESSAGE_CHARS, ContextNotFound, run_turn
from agents.services.approvals import CAN_DECIDE, approve, pending_actions, reject
from api.pagination import KeysetPagination
from api.permissions import IsTeamMember, team_role
from crm.leads.permissions import CAN_VIEW
from crm.teams.access import get_team_object
from crm.teams.types import TeamRequest


class AgentTurnThrottle(UserRateThrottle):
    """Per user, on top of the API-wide limit: a turn can cost several model calls."""

    scope = "agent_turn"
    DEFAULT_RATE = "30/minute"

    def get_rate(self) -> str:
        return self.THROTTLE_RATES.get(self.scope) or self.DEFAULT_RATE


# --- Execute ---------------------------------------------------------------------------------------


class TurnContextSerializer(serializers.Serializer):
    lead_id = serializers.UUIDField(
        required=False, allow_null=True, help_text="A lead of the team the request is about."
    )
    property_id = serializers.UUIDField(required=False, allow_null=True, help_text="A property of the team.")


class ExecuteSerializer(serializers.Serializer):
    message = serializers.CharField(
        min_length=1, max_length=MAX_MESSAGE_CHARS, help_text="What to ask or tell the agent."
    )
    # DRF takes declared fields off the class, so this does not shadow ``Serializer.context``.
    context = TurnContextSerializer(required=False, help_text="What the request is about.")  # type: ignore[assignment]


class ToolCallSerializer(serializers.Serializer):
    name = serializers.CharField()
    arguments = serializers.DictField(help_text="The arguments as the model sent them (capped in size).")
    status = serializers.ChoiceField(choices=ToolCallStatus.choices)
    result = serializers.DictField(required=False, help_text="What the tool returned (executed or pending).")
    error = serializers.CharField(required=False, help_text="Why it was refused or failed.")


class TurnPendingActionSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    tool = serializers.CharField()
    summary = serializers.CharField(help_text="What approving will do.")
    status = serializers.ChoiceField(choices=PendingStatus.choices)
    lead_id = serializers.UUIDField(allow_null=True)
    expires_at = serializers.DateTimeField()


class SourceSerializer(serializers.Serializer):
    document_id = serializers.UUIDField()
    title = serializers.CharField()
    chunk_id = serializers.UUIDField()
    excerpt = serializers.CharField()


class TurnResultSerializer(serializers.Serializer):
    agent = serializers.ChoiceField(choices=AgentName.choices, help_text="Who answered (the COO hands requests on).")
    answer = serializers.CharField()
    tool_calls = ToolCallSerializer(many=True)
    pending_actions = TurnPendingActionSerializer(many=True, help_text="Side effects waiting for approval.")
    sources = SourceSerializer(many=True, help_text="Knowledge-base passages the answer drew on.")
    engine = serializers.ChoiceField(choices=Engine.choices)
    turn_id = serializers.UUIDField()
    routed_by = serializers.CharField(help_text='"coo" when the COO chose the agent, else empty.')
    route_reason = serializers.CharField()
    notes = serializers.ListField(child=serializers.CharField())


@extend_schema(
    summary="Ask an AI agent",
    description=(
        "Runs one agent turn: with a language model, a tool loop; without one, the offline engine (known commands "
        "and knowledge-base answers). `coo` routes the request to the right specialist; `agent` in the answer says "
        "who answered. Tools run with the caller's role in the team; tours, stage changes and messages come back "
        "as `pending_actions` for a teammate to approve unless the team's policy allows them."
    ),
    request=ExecuteSerializer,
    responses={
        200: TurnResultSerializer,
        400: OpenApiResponse(description="No message, a message over 4,000 characters, or malformed context ids."),
        404: OpenApiResponse(description="The context's lead or property is not one of the team's."),
    },
)
@api_view(["POST"])
@throttle_classes([*cast(list[type[BaseThrottle]], api_settings.DEFAULT_THROTTLE_CLASSES), AgentTurnThrottle])
def execute(request: Request, agent: str) -> Response:
    serializer = ExecuteSerializer(data=request.data)
    serializer.is_valid(raise_exception=True)
    data: dict[str, Any] = serializer.validated_data
    context = {key: str(value) for key, value in (data.get("context") or {}).items() if value}
    try:
        result = run_turn(
            agent=agent,
            team=cast(TeamRequest, request._request).team,
            user=request.user,  # type: ignore[arg-type]
            message=data["message"],
            context=context,
        )
    except ContextNotFound as exc:
        raise NotFound(str(exc)) from exc
    return Response(TurnResultSerializer(result.as_dict()).data)


# --- Pending actions -------------------------------------------------------------------------------


class PendingActionSerializer(serializers.ModelSerializer):
    class Meta:
        model = PendingAction
        fields = [
            "id",
            "agent",
            "tool",
            "summary",
            "arguments",
            "status",
            "lead",
            "requested_by",
            "decided_by",
            "decided_at",
            "result",
            "error",
            "created_at",
            "expires_at",
        ]
        read_only_fields = fields


class RejectSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=500, help_text="Why not, for the log.")


class ActionFilterSerializer(serializers.Serializer):
    lead = serializers.UUIDField(required=False, help_text="Only this lead's actions.")


@extend_schema_view(
    get=extend_schema(summary="Actions waiting for approval, newest first", parameters=[ActionFilterSerializer])
)
class PendingActionList(generics.ListAPIView):
    serializer_class = PendingActionSerializer
    pagination_class = KeysetPagination
    queryset = PendingAction.objects.none()

    def get_queryset(self) -> QuerySet[PendingAction]:
        params = ActionFilterSerializer(data=self.request.query_params)
        params.is_valid(raise_exception=True)
        rows = pending_actions()
        lead = params.validated_data.get("lead")
        return rows.filter(lead_id=lead) if lead else rows


def _decision(action: PendingAction, wanted: str) -> Response:
    body = PendingActionSerializer(action).data
    if action.status == wanted:
        return Response(body)
    label = PendingStatus(action.status).label.lower()
    return Response({"detail": f"This action is {label}.", "action": body}, status=status.HTTP_409_CONFLICT)


@extend_schema(
    summary="Approve an agent's action (agent role or higher)",
    description="Runs the action once, after checking again the approver's role, the expiry and (for messages) "
    "the prospect's consent. Approving an approved action changes nothing.",
    request=None,
    responses={
        200: PendingActionSerializer,
        403: OpenApiResponse(description="Your role may not approve this."),
        404: OpenApiResponse(description="No such action in the team."),
        409: OpenApiResponse(description="It was rejected, expired, or could not be done (see `action.error`)."),
    },
)
@api_view(["POST"])
@permission_classes([IsAuthenticated, IsTeamMember, team_role(CAN_DECIDE)])
def action_approve(request: Request, action_id: str) -> Response:
    action = get_team_object(PendingAction, pk=action_id)
    return _decision(approve(action, request.user), PendingStatus.APPROVED)  # type: ignore[arg-type]


@extend_schema(
    summary="Reject an agent's action (agent role or higher)",
    request=RejectSerializer,
    responses={
        200: PendingActionSerializer,
        404: OpenApiResponse(description="No such action in the team."),
        409: OpenApiResponse(description="It was already decided or expired."),
    },
)
@api_view(["POST"])
@permission_classes([IsAuthenticated, IsTeamMember, team_role(CAN_DECIDE)])
def action_reject(request: Request, action_id: str) -> Response:
    action = get_team_object(PendingAction, pk=action_id)
    serializer = RejectSerializer(data=request.data)
    serializer.is_valid(raise_exception=True)
    done = reject(action, request.user, serializer.validated_data.get("reason", ""))  # type: ignore[arg-type]
    return _decision(done, PendingStatus.REJECTED)


# --- Activity ----------------------------------------------------------------------------------------


class AgentActivitySerializer(serializers.ModelSerializer):
    kind = serializers.ChoiceField(choices=ActivityKind.choices)
    status = serializers.ChoiceField(choices=ActivityStatus.choices)

    class Meta:
        model = AgentActivity
        fields = [
            "id",
            "turn_id",
            "agent",
            "kind",
            "tool",
            "status",
            "arguments",
            "result",
            "error",
            "engine",
            "latency_ms",
            "prompt_tokens",
            "completion_tokens",
            "lead",
            "user",
            "conversation_id",
            "created_at",
        ]
        read_only_fields = fields


class AgentActivityFilterSerializer(serializers.Serializer):
    lead = serializers.UUIDField(required=False, help_text="Only this lead's entries.")


@extend_schema_view(
    get=extend_schema(
        summary="The agents' audit log, newest first",
        description="Every turn, tool call (refused ones included) and approval decision.",
        parameters=[AgentActivityFilterSerializer],
    )
)
class AgentActivityList(generics.ListAPIView):
    serializer_class = AgentActivitySerializer
    pagination_class = KeysetPagination
    permission_classes = [IsAuthenticated, IsTeamMember, team_role(CAN_VIEW)]
    queryset = AgentActivity.objects.none()

    def get_queryset(self) -> QuerySet[AgentActivity]:
        params = AgentActivityFilterSerializer(data=self.request.query_params)
        params.is_valid(raise_exception=True)
        rows = AgentActivity.objects.all()
        lead = params.validated_data.get("lead")
        return rows.filter(lead_id=lead) if lead else rows
