"""Forms for the ad copy page. They parse input; generation and the checks live in the services."""

from __future__ import annotations

from typing import Any

from django import forms

from crm.marketing.facts import HIGHLIGHT_MAX_LENGTH, MAX_HIGHLIGHTS
from crm.marketing.platforms import MAX_VARIATIONS, Engine, Objective, Platform, Tone
from crm.properties.models import Property


def team_properties() -> Any:
    return Property.objects.filter(is_active=True).order_by("name")


class AdCopyForm(forms.Form):
    property: forms.ModelChoiceField[Property] = forms.ModelChoiceField(queryset=None, empty_label=None)
    platform = forms.ChoiceField(choices=Platform.choices, initial=Platform.FACEBOOK)
    objective = forms.ChoiceField(choices=Objective.choices, initial=Objective.LEADS)
    tone = forms.ChoiceField(choices=Tone.choices, initial=Tone.FRIENDLY)
    variations = forms.IntegerField(
        label="Number of variations", min_value=1, max_value=MAX_VARIATIONS, initial=3, widget=forms.NumberInput
    )
    highlights = forms.CharField(
        required=False,
        max_length=MAX_HIGHLIGHTS * (HIGHLIGHT_MAX_LENGTH + 2),
        label="Highlights",
        help_text=f"Up to {MAX_HIGHLIGHTS} selling points, separated by commas (e.g. rooftop pool, garage parking). "
        "They appear as written, so keep them about the property.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "adcopy_%s")
        super().__init__(*args, **kwargs)
        self.fields["property"].queryset = team_properties()  # type: ignore[attr-defined]


class DraftSaveForm(forms.Form):
    """One generated variation, posted back from the results to be kept as a draft."""

    property: forms.ModelChoiceField[Property] = forms.ModelChoiceField(queryset=None)
    platform = forms.ChoiceField(choices=Platform.choices)
    objective = forms.ChoiceField(choices=Objective.choices)
    tone = forms.ChoiceField(choices=Tone.choices)
    engine = forms.ChoiceField(choices=Engine.choices)
    content = forms.JSONField()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["property"].queryset = Property.objects.all()  # type: ignore[attr-defined]
