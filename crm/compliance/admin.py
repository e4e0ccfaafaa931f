"""Operators' console for the Fair Housing rules (global) and each team's compliance settings.

Shipped rules (those with a key) belong to Loriaa's releases: an operator may switch one off,
and adds their own rules next to it, but does not edit it, because the next release's update
would overwrite the edit.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from crm.compliance.models import (
    LOCAL_CATEGORIES,
    AcceptedPhrase,
    Category,
    ComplianceSettings,
    FairHousingRule,
    OlderPersonsHousing,
)
from crm.compliance.services import compliance_settings_update

SHIPPED_EDITABLE = {"is_active"}


class ShippedReadOnly(admin.ModelAdmin):
    actions = ["activate", "deactivate"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        if obj is not None and obj.key:
            return [f.name for f in self.model._meta.fields if f.name not in SHIPPED_EDITABLE]
        return ["key", "created_at", "updated_at"]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # A deleted shipped rule would come back with the next release: switch it off instead.
        return super().has_delete_permission(request, obj) and not (obj is not None and obj.key)

    @admin.action(description="Switch on")
    def activate(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        # updated_at tells the other processes' rule caches that something changed.
        changed = queryset.update(is_active=True, updated_at=timezone.now())
        self.message_user(request, f"{changed} switched on.", messages.SUCCESS)

    @admin.action(description="Switch off")
    def deactivate(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        changed = queryset.update(is_active=False, updated_at=timezone.now())
        self.message_user(request, f"{changed} switched off.", messages.SUCCESS)


@admin.register(FairHousingRule)
class FairHousingRuleAdmin(ShippedReadOnly):
    list_display = ["__str__", "category", "kind", "suggestion", "older_persons_exempt", "is_active", "shipped"]
    list_filter = ["category", "is_active", "kind", "older_persons_exempt"]
    search_fields = ["key", "pattern", "reason", "suggestion"]
    fields = [
        "key",
        "category",
        "kind",
        "pattern",
        "reason",
        "suggestion",
        "older_persons_exempt",
        "is_active",
        "created_at",
        "updated_at",
    ]

    @admin.display(boolean=True)
    def shipped(self, obj: FairHousingRule) -> bool:
        return obj.is_shipped


@admin.register(AcceptedPhrase)
class AcceptedPhraseAdmin(ShippedReadOnly):
    list_display = ["__str__", "kind", "note", "is_active"]
    list_filter = ["is_active", "kind"]
    search_fields = ["key", "pattern", "note"]
    fields = ["key", "kind", "pattern", "note", "is_active", "created_at", "updated_at"]


LOCAL_CHOICES = [(c.value, c.label) for c in Category if c in LOCAL_CATEGORIES]


class ComplianceSettingsForm(forms.ModelForm):
    local_classes = forms.MultipleChoiceField(
        choices=LOCAL_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Protected classes the team's states and cities add to the federal ones.",
    )


@admin.register(ComplianceSettings)
class ComplianceSettingsAdmin(admin.ModelAdmin):
    form = ComplianceSettingsForm
    list_display = ["team", "local_classes", "updated_at"]
    search_fields = ["team__name"]
    autocomplete_fields = ["team"]
    list_select_related = ["team"]
    fields = ["team", "local_classes"]

    def get_readonly_fields(self, request: HttpRequest, obj: ComplianceSettings | None = None) -> list[str]:
        return ["team"] if obj else []

    def save_model(self, request: HttpRequest, obj: ComplianceSettings, form: Any, change: bool) -> None:
        saved = compliance_settings_update(team=obj.team, local_classes=form.cleaned_data["local_classes"])
        obj.pk = saved.pk


@admin.register(OlderPersonsHousing)
class OlderPersonsHousingAdmin(admin.ModelAdmin):
    list_display = ["property", "team", "basis", "verified_on"]
    list_filter = ["basis"]
    search_fields = ["property__name", "team__name"]
    autocomplete_fields = ["property"]
    list_select_related = ["property", "team"]
    exclude = ["team"]

    def get_readonly_fields(self, request: HttpRequest, obj: OlderPersonsHousing | None = None) -> list[str]:
        return ["property"] if obj else []

    def save_model(self, request: HttpRequest, obj: OlderPersonsHousing, form: Any, change: bool) -> None:
        obj.team_id = obj.property.team_id
        super().save_model(request, obj, form, change)
