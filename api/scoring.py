"""The shape of a lead's score over the API (``POST /api/v1/leads/{id}/score/``)."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from crm.leads.models import Lead


class ScoreFactorSerializer(serializers.Serializer):
    name = serializers.CharField(help_text="Stable feature id, e.g. `budget_fit`.")
    label = serializers.CharField(help_text="The feature's name for people.")  # type: ignore[assignment]
    value = serializers.JSONField(
        allow_null=True,
        help_text="What was measured: a number (days, minutes, units, touches), a word (the source, the tour "
        "status) or null when unknown.",
    )
    detail = serializers.CharField(help_text="What was measured, in words.")
    contribution = serializers.IntegerField(help_text="Points this feature added to the score.")
    weight = serializers.IntegerField(help_text="The most points this feature can add.")


class LeadScoreSerializer(serializers.Serializer):
    score = serializers.IntegerField(min_value=0, max_value=100, help_text="The sum of the contributions.")
    factors = ScoreFactorSerializer(many=True)
    explanation = serializers.CharField(help_text="Why, in a sentence or two, from the strongest and weakest factors.")

    def to_representation(self, lead: Lead) -> dict[str, Any]:
        return super().to_representation(
            {"score": lead.score, "factors": lead.score_factors, "explanation": lead.score_explanation}
        )
