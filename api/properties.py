"""Properties and units over the API. Anyone in the team reads them; managers and above write."""

from __future__ import annotations

from typing import Any, cast

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import serializers, status, viewsets
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from api.fields import TeamObjectField
from api.permissions import IsTeamMember, team_role
from crm.properties.models import Property, Unit, UnitStatus
from crm.properties.services import PROPERTY_FIELDS, property_create, property_update, unit_create
from crm.teams.roles import Role
from crm.teams.types import TeamRequest

CAN_MANAGE_PROPERTIES = Role.MANAGER
OFFICE_HOURS_SCHEMA = {
    "type": "object",
    "description": "Per weekday (mon…sun), the opening spans in the property's time zone.",
    "additionalProperties": {
        "type": "array",
        "items": {"type": "array", "items": {"type": "string", "example": "09:00"}, "minItems": 2, "maxItems": 2},
    },
    "example": {"mon": [["09:00", "18:00"]], "sat": [["10:00", "17:00"]], "sun": []},
}


@extend_schema_field(OFFICE_HOURS_SCHEMA)
class OfficeHoursField(serializers.JSONField):
    pass


class PropertySerializer(serializers.ModelSerializer):
    office_hours = OfficeHoursField(required=False)
    closed_dates = serializers.ListField(
        child=serializers.DateField(), required=False, help_text="Days the office is closed (holidays)."
    )
    sms_number = serializers.CharField(
        max_length=20,
        allow_blank=True,
        allow_null=True,
        required=False,
        help_text="The number whose inbound texts belong to this property. Any common format; returned in "
        "E.164. One number serves one property in the whole installation.",
    )

    class Meta:
        model = Property
        fields = ["id", *PROPERTY_FIELDS, "created_at"]
        read_only_fields = ["id", "created_at"]
        extra_kwargs = {"timezone": {"help_text": "An IANA time zone name, e.g. America/Chicago."}}

    def validate_closed_dates(self, value: list[Any]) -> list[str]:
        return sorted({day.isoformat() for day in value})


class UnitSerializer(serializers.ModelSerializer):
    property = TeamObjectField(Property, help_text="A property of the team.")

    class Meta:
        model = Unit
        fields = [
            "id",
            "property",
            "number",
            "floor_plan",
            "beds",
            "baths",
            "square_feet",
            "rent",
            "status",
            "available_on",
            "created_at",
        ]
        read_only_fields = ["id", "created_at"]
        validators: list[Any] = []  # the service checks the number is free, with a clearer message


class UnitFilterSerializer(serializers.Serializer):
    property = serializers.UUIDField(required=False, help_text="A property id.")
    status = serializers.ChoiceField(choices=UnitStatus.choices, required=False)
    beds = serializers.IntegerField(required=False, min_value=0, help_text="Bedrooms; 0 for a studio.")


def _team(request: Request) -> Any:
    return cast(TeamRequest, request._request).team


PERMISSIONS: list[type[BasePermission]] = [IsAuthenticated, IsTeamMember, team_role(CAN_MANAGE_PROPERTIES)]


@extend_schema_view(
    list=extend_schema(summary="List the team's properties"),
    create=extend_schema(summary="Add a property (manager role or higher)", responses={201: PropertySerializer}),
    retrieve=extend_schema(summary="One property"),
    partial_update=extend_schema(summary="Change a property (manager role or higher)"),
)
class PropertyViewSet(viewsets.GenericViewSet):
    queryset = Property.objects.none()  # the model, for the schema; requests use get_queryset()
    serializer_class = PropertySerializer
    permission_classes = PERMISSIONS
    lookup_value_converter = "uuid"

    def get_queryset(self) -> QuerySet[Property]:
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        return Property.objects.order_by("name", "id")

    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def create(self, request: Request) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        prop = property_create(team=_team(request), data=serializer.validated_data)
        return Response(self.get_serializer(prop).data, status=status.HTTP_201_CREATED)

    def retrieve(self, request: Request, pk: str) -> Response:
        return Response(self.get_serializer(self.get_object()).data)

    def partial_update(self, request: Request, pk: str) -> Response:
        prop = self.get_object()
        serializer = self.get_serializer(prop, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        property_update(property=prop, data=serializer.validated_data)
        return Response(self.get_serializer(prop).data)


@extend_schema_view(
    list=extend_schema(summary="List the team's units", parameters=[UnitFilterSerializer]),
    create=extend_schema(
        summary="Add a unit to a property (manager role or higher)",
        responses={201: OpenApiResponse(UnitSerializer)},
    ),
)
class UnitViewSet(viewsets.GenericViewSet):
    queryset = Unit.objects.none()  # the model, for the schema; requests use get_queryset()
    serializer_class = UnitSerializer
    permission_classes = PERMISSIONS

    def get_queryset(self) -> QuerySet[Unit]:
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        return Unit.objects.order_by("property__name", "number", "id")

    def list(self, request: Request) -> Response:
        filters = UnitFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        lookups = {"property": "property_id", "status": "status", "beds": "beds"}
        units = self.get_queryset().filter(**{lookups[k]: v for k, v in filters.validated_data.items()})
        page = self.paginate_queryset(units)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def create(self, request: Request) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        unit = unit_create(team=_team(request), data=serializer.validated_data)
        return Response(self.get_serializer(unit).data, status=status.HTTP_201_CREATED)
