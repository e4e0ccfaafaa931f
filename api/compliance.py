"""The Fair Housing checker over the API: send text, get findings with reasons and rewrites."""

from __future__ import annotations

from typing import Any, cast

from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.decorators import api_view, throttle_classes
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.throttling import BaseThrottle, UserRateThrottle

from api.fields import TeamObjectField
from crm.compliance.fair_housing import check_text
from crm.compliance.models import Category
from crm.properties.models import Property
from crm.teams.types import TeamRequest

MAX_TEXT_LENGTH = 20_000


class FairHousingCheckThrottle(UserRateThrottle):
    """Per user, on top of the API-wide limit: a check is cheap, but not a bulk text service."""

    scope = "fair_housing_check"
    DEFAULT_RATE = "300/minute"

    def get_rate(self) -> str:
        return self.THROTTLE_RATES.get(self.scope) or self.DEFAULT_RATE


class FairHousingCheckSerializer(serializers.Serializer):
    text = serializers.CharField(
        max_length=MAX_TEXT_LENGTH,
        allow_blank=True,
        trim_whitespace=False,  # offsets in the answer index the text exactly as sent
        help_text=f"The ad, listing or message to check; at most {MAX_TEXT_LENGTH:,} characters.",
    )
    property = TeamObjectField(
        Property,
        required=False,
        allow_null=True,
        help_text="A property of the team the text is about. If it qualifies as housing for older persons, "
        'age-restricted wording such as "55+ community" is allowed; without it, such wording is flagged.',
    )


class FindingSerializer(serializers.Serializer):
    phrase = serializers.CharField(help_text="The words as they appear in the text.")
    start = serializers.IntegerField(help_text="Offset of the first character of the phrase in the text.")
    end = serializers.IntegerField(help_text="Offset just past the phrase: text[start:end] == phrase.")
    category = serializers.ChoiceField(choices=Category.choices, help_text="The protected class concerned.")
    reason = serializers.CharField()
    suggestion = serializers.CharField(
        allow_blank=True, help_text="A neutral replacement for the phrase; empty means remove it."
    )


class FairHousingResultSerializer(serializers.Serializer):
    ok = serializers.BooleanField(help_text="True when nothing was found.")
    findings = FindingSerializer(many=True)
    rewrite = serializers.CharField(allow_blank=True, help_text="The text with every suggestion applied.")


@extend_schema(
    summary="Check text for Fair Housing concerns",
    description="Flags words and phrases that state a preference, limitation or discrimination based on race, "
    "color, religion, sex, disability, familial status or national origin, plus the local protected classes "
    "the team has enabled (source of income by default), each with the reason and a neutral rewrite. Accepted "
    'phrases such as "master bedroom", "family room" or "walking distance to transit" are not flagged. Any '
    "member of the team may call it.",
    request=FairHousingCheckSerializer,
    responses={
        200: FairHousingResultSerializer,
        400: OpenApiResponse(description="No text, text over the length limit, or an unknown property."),
    },
    examples=[
        OpenApiExample(
            "A listing with two problems",
            request_only=True,
            value={"text": "Sunny 2BR, perfect for a young couple. No Section 8."},
        ),
    ],
)
@api_view(["POST"])
@throttle_classes([*cast(list[type[BaseThrottle]], api_settings.DEFAULT_THROTTLE_CLASSES), FairHousingCheckThrottle])
def fair_housing_check(request: Request) -> Response:
    serializer = FairHousingCheckSerializer(data=request.data)
    serializer.is_valid(raise_exception=True)
    data: dict[str, Any] = serializer.validated_data
    team = cast(TeamRequest, request._request).team
    result = check_text(data["text"], team=team, property=data.get("property"))
    body = {"ok": result.ok, "findings": [f.as_dict() for f in result.findings], "rewrite": result.rewrite()}
    return Response(FairHousingResultSerializer(body).data)
