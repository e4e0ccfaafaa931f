"""Operators' view of properties and units, across teams (TeamMiddleware disables scopes in the admin).

A row's team follows its parent (a unit's property, an agent slot's property) and never changes
afterwards: moving a property between teams would strand its leads and units in the old one.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db import models
from django.http import HttpRequest

from crm.properties.models import Property, PropertyAgent, Unit
from crm.teams.models import Membership


class UnitInline(admin.TabularInline):
    model = Unit
    extra = 0
    fields = ["number", "floor_plan", "beds", "baths", "square_feet", "rent", "status", "available_on"]
    show_change_link = True


class PropertyAgentForm(forms.ModelForm):
    # No Meta: the admin builds the form per request, inside its scopes_disabled(); a ModelForm
    # declared with its model would query the scoped managers at import.

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        # The inline's foreign key is cleaned last and holds the parent property (saved or not).
        prop, user = cleaned.get("property"), cleaned.get("user")
        if prop and user and not Membership.objects.filter(team_id=prop.team_id, user=user).exists():
            self.add_error("user", "This user is not a member of the property's team.")
        return cleaned


class PropertyAgentInline(admin.TabularInline):
    model = PropertyAgent
    form = PropertyAgentForm
    extra = 0
    fields = ["user", "is_active", "last_assigned_at"]
    autocomplete_fields = ["user"]
    readonly_fields = ["last_assigned_at"]
    verbose_name = "round-robin agent"


def save_team_children(form: forms.ModelForm, formset: forms.BaseModelFormSet) -> None:
    """Save an inline's rows into the parent's team."""
    for obj in formset.save(commit=False):
        obj.team_id = form.instance.team_id
        obj.save()
    for obj in formset.deleted_objects:
        obj.delete()
    formset.save_m2m()


@admin.register(Property)
class PropertyAdmin(admin.ModelAdmin):
    list_display = ["name", "team", "city", "state", "sms_number", "timezone", "is_active", "created_at"]
    list_filter = ["is_active", "state", "timezone", "team"]
    search_fields = ["name", "city", "sms_number", "team__name"]
    list_select_related = ["team"]
    autocomplete_fields = ["team"]
    readonly_fields = ["created_at"]
    inlines = [UnitInline, PropertyAgentInline]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    fieldsets = (
        (None, {"fields": ("team", "name", "is_active", "created_at")}),
        ("Address", {"fields": ("street", "city", "state", "postal_code")}),
        ("Contact", {"fields": ("sms_number", "email", "website")}),
        ("Tours", {"fields": ("timezone", "office_hours", "closed_dates", "tour_minutes", "tour_buffer_minutes")}),
    )

    def get_readonly_fields(self, request: HttpRequest, obj: Property | None = None) -> list[str]:
        return [*self.readonly_fields, "team"] if obj else list(self.readonly_fields)

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        save_team_children(form, formset)


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ["__str__", "property", "floor_plan", "beds", "baths", "rent", "status", "available_on"]
    list_filter = ["status", "beds", "property"]
    search_fields = ["number", "floor_plan", "property__name"]
    list_select_related = ["property"]
    autocomplete_fields = ["property"]
    exclude = ["team"]

    def get_readonly_fields(self, request: HttpRequest, obj: Unit | None = None) -> list[str]:
        return ["property"] if obj else []

    def save_model(self, request: HttpRequest, obj: Unit, form: Any, change: bool) -> None:
        obj.team_id = obj.property.team_id
        super().save_model(request, obj, form, change)
