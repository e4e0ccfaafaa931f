"""Ad copy over the API: ``POST /api/v1/ad-copy/generate/``.

Agents and above may generate (the same minimum as the page): it can spend model tokens.
The answer says which engine wrote the copy, and lists what the checks blocked, with why.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any, cast

from drf_spectacular.utils import PolymorphicProxySerializer, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.decorators import api_view, permission_classes
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from api.compliance import FindingSerializer  # one "Finding" schema for every Fair Housing answer
from api.fields import TeamObjectField
from api.permissions import IsTeamMember, team_role
from crm.marketing.facts import HIGHLIGHT_MAX_LENGTH, MAX_HIGHLIGHTS
from crm.marketing.permissions import CAN_GENERATE
from crm.marketing.platforms import (
    GOOGLE_DESCRIPTION_MAX,
    GOOGLE_HEADLINE_MAX,
    MAX_VARIATIONS,
    META_DESCRIPTION_MAX,
    META_HEADLINE_MAX,
    META_PRIMARY_TEXT_MAX,
    CallToAction,
    Engine,
    Objective,
    Platform,
    Tone,
)
from crm.marketing.services import ad_copy_generate
from crm.properties.models import Property
from crm.teams.types import TeamRequest


class AdCopyGenerateSerializer(serializers.Serializer):
    platform = serializers.ChoiceField(choices=Platform.choices)
    objective = serializers.ChoiceField(choices=Objective.choices)
    property = TeamObjectField(Property, help_text="A property of the team.")
    tone = serializers.ChoiceField(choices=Tone.choices, default=Tone.FRIENDLY)
    variations = serializers.IntegerField(min_value=1, max_value=MAX_VARIATIONS, default=3)
    highlights = serializers.ListField(
        child=serializers.CharField(max_length=HIGHLIGHT_MAX_LENGTH),
        max_length=MAX_HIGHLIGHTS,
        required=False,
        help_text='Selling points to mention as written, e.g. ["rooftop pool"].',
    )
    seed = serializers.IntegerField(
        min_value=0, max_value=10_000, default=0, help_text="Another number gives other wording (offline engine)."
    )


class GoogleVariationSerializer(serializers.Serializer):
    headlines = serializers.ListField(
        child=serializers.CharField(max_length=GOOGLE_HEADLINE_MAX), min_length=3, max_length=15
    )
    descriptions = serializers.ListField(
        child=serializers.CharField(max_length=GOOGLE_DESCRIPTION_MAX), min_length=2, max_length=4
    )


class MetaVariationSerializer(serializers.Serializer):
    primary_text = serializers.CharField(max_length=META_PRIMARY_TEXT_MAX)
    headline = serializers.CharField(max_length=META_HEADLINE_MAX)
    description = serializers.CharField(max_length=META_DESCRIPTION_MAX)
    call_to_action = serializers.ChoiceField(choices=CallToAction.choices)


@extend_schema_field(
    PolymorphicProxySerializer(
        component_name="AdCopyVariation",
        serializers=[GoogleVariationSerializer, MetaVariationSerializer],
        resource_type_field_name=None,
    )
)
class VariationField(serializers.JSONField):
    """A Google variation (headlines, descriptions) or a Meta one (Facebook and Instagram)."""


class BlockedSerializer(serializers.Serializer):
    reason = serializers.CharField()
    findings = FindingSerializer(many=True, help_text="The Fair Housing checker's findings, if it blocked the copy.")


class AdCopyResultSerializer(serializers.Serializer):
    engine = serializers.ChoiceField(
        choices=Engine.choices, help_text="Who wrote the copy: the AI model or the offline templates."
    )
    platform = serializers.ChoiceField(choices=Platform.choices)
    objective = serializers.ChoiceField(choices=Objective.choices)
    tone = serializers.ChoiceField(choices=Tone.choices)
    property = serializers.UUIDField()
    variations = serializers.ListField(child=VariationField())
    blocked = BlockedSerializer(many=True)
    notes = serializers.ListField(
        child=serializers.CharField(), help_text="What happened on the way (fallbacks, rewording)."
    )


@extend_schema(
    summary="Generate ad copy for a property (agent role or higher)",
    description=(
        "Variations for Facebook, Instagram (Meta's shape: primary text ≤ 125, headline ≤ 40, description ≤ 30 "
        "characters, a call to action from Meta's list) or Google responsive search ads (3 to 15 headlines ≤ 30, "
        "2 to 4 descriptions ≤ 90 characters), written from the property's facts and available units. Every "
        "variation passed the Fair Housing checker; those that could not be fixed are listed under `blocked`."
    ),
    request=AdCopyGenerateSerializer,
    responses={200: AdCopyResultSerializer},
)
@api_view(["POST"])
@permission_classes([IsAuthenticated, IsTeamMember, team_role(CAN_GENERATE)])
def generate(request: Request) -> Response:
    serializer = AdCopyGenerateSerializer(data=request.data)
    serializer.is_valid(raise_exception=True)
    data = serializer.validated_data
    result = ad_copy_generate(
        team=cast(TeamRequest, request._request).team,
        property=data["property"],
        platform=data["platform"],
        objective=data["objective"],
        tone=data["tone"],
        count=data["variations"],
        highlights=data.get("highlights"),
        seed=data["seed"],
    )
    body: dict[str, Any] = {
        "engine": result.engine,
        "platform": result.platform,
        "objective": result.objective,
        "tone": result.tone,
        "property": result.property.pk,
        "variations": result.variations,
        "blocked": [asdict(blocked) for blocked in result.blocked],
        "notes": result.notes,
    }
    return Response(AdCopyResultSerializer(body).data)
