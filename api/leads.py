"""Leads over the API: list and filter, create (deduplicating), read, change, delete, timeline.

The serializers only check shapes and resolve ids inside the team; every change goes through
the lead services, so the API writes the same timeline entries as the web pages.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, cast
from uuid import UUID

from django.db import transaction
from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from agents.explainers import score_explainer
from api.fields import TeamObjectField, TeamWorkerField
from api.pagination import KeysetPagination
from api.permissions import IsTeamMember, team_role
from api.scoring import LeadScoreSerializer
from crm.accounts.models import User
from crm.leads.models import Lead, LeadActivity, Source, Stage
from crm.leads.permissions import CAN_MANAGE, CAN_VIEW, CAN_WORK
from crm.leads.selectors import LeadFilters, filter_leads
from crm.leads.services.leads import lead_assign, lead_create, lead_delete, lead_move_stage, lead_update
from crm.leads.services.scoring import lead_rescore
from crm.properties.models import Property
from crm.teams.types import TeamRequest


class LeadSerializer(serializers.ModelSerializer):
    phone = serializers.CharField(
        max_length=40,
        allow_blank=True,
        required=False,
        help_text="Any common format; stored and returned in E.164, e.g. +15125550100.",
    )
    property = TeamObjectField(Property, allow_null=True, required=False, help_text="A property of the team.")
    assigned_to = TeamWorkerField(
        allow_null=True, required=False, help_text="The id of a user with the agent role or higher in the team."
    )

    class Meta:
        model = Lead
        fields = [
            "id",
            "first_name",
            "last_name",
            "email",
            "phone",
            "source",
            "source_detail",
            "stage",
            "lost_reason",
            "property",
            "desired_beds",
            "budget_min",
            "budget_max",
            "move_in_date",
            "pets",
            "notes",
            "assigned_to",
            "score",
            "score_factors",
            "next_follow_up_at",
            "created_at",
            "updated_at",
            "last_activity_at",
        ]
        read_only_fields = [
            "id",
            "score",
            "score_factors",
            "next_follow_up_at",
            "created_at",
            "updated_at",
            "last_activity_at",
        ]

    def to_representation(self, lead: Lead) -> dict[str, Any]:
        # Written out by hand: DRF's generic path (building ~25 fields per serializer, then a
        # lookup per field per row) cost more than the page's query. A test holds this to the
        # output of the generic path, field for field.
        return {
            "id": str(lead.pk),
            "first_name": lead.first_name,
            "last_name": lead.last_name,
            "email": lead.email,
            "phone": lead.phone,
            "source": lead.source,
            "source_detail": lead.source_detail,
            "stage": lead.stage,
            "lost_reason": lead.lost_reason,
            "property": _uuid(lead.property_id),
            "desired_beds": lead.desired_beds,
            "budget_min": lead.budget_min,
            "budget_max": lead.budget_max,
            "move_in_date": lead.move_in_date.isoformat() if lead.move_in_date else None,
            "pets": lead.pets,
            "notes": lead.notes,
            "assigned_to": _uuid(lead.assigned_to_id),
            "score": lead.score,
            "score_factors": lead.score_factors,
            "next_follow_up_at": _moment(lead.next_follow_up_at),
            "created_at": _moment(lead.created_at),
            "updated_at": _moment(lead.updated_at),
            "last_activity_at": _moment(lead.last_activity_at),
        }

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        stage = attrs.get("stage", self.instance.stage if self.instance else Stage.NEW)
        if attrs.get("lost_reason") and stage != Stage.LOST:
            raise serializers.ValidationError(
                {"lost_reason": ['Only a lost lead has a lost reason: send stage "lost".']}
            )
        return attrs


def _uuid(value: UUID | None) -> str | None:
    return str(value) if value else None


def _moment(value: datetime | None) -> str | None:
    # DRF's DateTimeField converts through the current time zone per value (~2.5 ms a page).
    # The API speaks UTC, so this is the same string DRF gives with TIME_ZONE=UTC, and stays
    # UTC when the server's TIME_ZONE is something else.
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z") if value else None


class LeadFilterSerializer(serializers.Serializer):
    q = serializers.CharField(
        required=False, max_length=100, help_text="Name or email contains this; or the phone contains its digits."
    )
    stage = serializers.ChoiceField(choices=Stage.choices, required=False)
    source = serializers.ChoiceField(choices=Source.choices, required=False)  # type: ignore[assignment]
    property = serializers.UUIDField(required=False, help_text="A property id.")
    assigned_to = serializers.CharField(
        required=False, help_text='A user id, "me" (the caller) or "none" (unassigned).'
    )
    score_min = serializers.IntegerField(required=False, min_value=0, max_value=100, help_text="Score at least this.")

    def validate_assigned_to(self, value: str) -> str:
        if value in ("me", "none"):
            return value
        return str(serializers.UUIDField().run_validation(value))

    def to_filters(self) -> LeadFilters:
        data = self.validated_data
        return LeadFilters(
            q=data.get("q", "").strip(),
            stage=data.get("stage", ""),
            source=data.get("source", ""),
            property=str(data.get("property") or ""),
            agent=data.get("assigned_to", ""),
            score_min=data.get("score_min"),
        )


class ActorSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    name = serializers.CharField(source="display_name")


class ActivitySerializer(serializers.ModelSerializer):
    actor = ActorSerializer(allow_null=True, read_only=True)

    class Meta:
        model = LeadActivity
        fields = ["id", "kind", "summary", "actor", "data", "created_at"]


@transaction.atomic
def create_lead(*, request: Request, data: dict[str, Any]) -> tuple[Lead, bool]:
    stage = data.pop("stage", None)
    lost_reason = data.pop("lost_reason", "")
    # An explicit assignee (even null) replaces the property's round-robin.
    explicit_assignee = "assigned_to" in data
    assignee = data.pop("assigned_to", None)
    actor = _actor(request)
    team = cast(TeamRequest, request._request).team
    lead, created = lead_create(team=team, data=data, actor=actor, via="api", assign=not explicit_assignee)
    # A repeat submission merges contact details only: the team's stage and assignee stand.
    if created and stage:
        lead_move_stage(lead=lead, stage=stage, lost_reason=lost_reason, actor=actor)
    if created and explicit_assignee:
        lead_assign(lead=lead, user=assignee, actor=actor)
    return lead, created


@transaction.atomic
def change_lead(*, request: Request, lead: Lead, data: dict[str, Any]) -> Lead:
    actor = _actor(request)
    stage = data.pop("stage", None)
    lost_reason = data.pop("lost_reason", None)
    explicit_assignee = "assigned_to" in data
    assignee = data.pop("assigned_to", None)
    lead_update(lead=lead, data=data, actor=actor)
    if stage is not None or lost_reason is not None:
        lead_move_stage(lead=lead, stage=stage or lead.stage, lost_reason=lost_reason or "", actor=actor)
    if explicit_assignee:
        lead_assign(lead=lead, user=assignee, actor=actor)
    return lead


def _actor(request: Request) -> User:
    return cast(User, request.user)


@extend_schema_view(
    list=extend_schema(
        summary="List the team's leads, newest first",
        parameters=[LeadFilterSerializer],
    ),
    retrieve=extend_schema(summary="One lead"),
    partial_update=extend_schema(
        summary="Change a lead",
        description="Contact and qualification fields are updated; `stage` (with `lost_reason`) moves the lead "
        "and `assigned_to` reassigns it. Each change is recorded on the lead's timeline.",
    ),
    destroy=extend_schema(summary="Delete a lead (manager role or higher)"),
)
class LeadViewSet(viewsets.GenericViewSet):
    queryset = Lead.objects.none()  # the model, for the schema; requests use get_queryset()
    serializer_class = LeadSerializer
    pagination_class = KeysetPagination
    permission_classes = [IsAuthenticated, IsTeamMember, team_role(CAN_WORK, safe=CAN_VIEW)]
    lookup_value_converter = "uuid"

    def get_permissions(self) -> Sequence[Any]:
        if self.action == "destroy":
            return [IsAuthenticated(), IsTeamMember(), team_role(CAN_MANAGE)()]
        return super().get_permissions()

    def get_queryset(self) -> QuerySet[Lead]:
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        return Lead.objects.active()

    def list(self, request: Request) -> Response:
        filters = LeadFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        leads = filter_leads(self.get_queryset(), filters.to_filters(), user_id=request.user.pk)
        page = self.paginate_queryset(leads)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(
        summary="Add a lead, or update the team's lead with the same email or phone",
        description="A new prospect is created (201). If the team already has a lead with this email or phone, "
        "that lead is returned instead (200): new non-empty fields are merged into it (the first-touch "
        "source is kept), its stage and assignee are left as they are, and the repeat submission is "
        "recorded on its timeline.",
        responses={
            201: OpenApiResponse(LeadSerializer, description="A new lead was created."),
            200: OpenApiResponse(LeadSerializer, description="The team's existing lead, with the new details merged."),
        },
    )
    def create(self, request: Request) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        lead, created = create_lead(request=request, data=dict(serializer.validated_data))
        return Response(
            self.get_serializer(lead).data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK
        )

    def retrieve(self, request: Request, pk: str) -> Response:
        return Response(self.get_serializer(self.get_object()).data)

    def partial_update(self, request: Request, pk: str) -> Response:
        lead = self.get_object()
        serializer = self.get_serializer(lead, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        change_lead(request=request, lead=lead, data=dict(serializer.validated_data))
        return Response(self.get_serializer(lead).data)

    def destroy(self, request: Request, pk: str) -> Response:
        lead_delete(lead=self.get_object(), actor=_actor(request))
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(summary="A lead's timeline, newest first", responses=ActivitySerializer(many=True))
    @action(detail=True, methods=["get"], serializer_class=ActivitySerializer)
    def activities(self, request: Request, pk: str) -> Response:
        lead = self.get_object()
        timeline = LeadActivity.objects.filter(lead=lead).select_related("actor")
        page = self.paginate_queryset(timeline)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(
        summary="Rescore a lead now",
        description="Recomputes the lead's score from its reviewed features and stores it. `factors` lists each "
        "feature with what was measured and the points it added; the contributions add up to `score`. "
        "Names, notes, pets and other protected or proxy fields are never inputs. Agent role or higher.",
        request=None,
        responses=LeadScoreSerializer,
    )
    @action(detail=True, methods=["post"], serializer_class=LeadScoreSerializer)
    def score(self, request: Request, pk: str) -> Response:
        lead = lead_rescore(lead=self.get_object(), llm=score_explainer(request._request.team))  # type: ignore[attr-defined]
        return Response(LeadScoreSerializer(lead).data)
