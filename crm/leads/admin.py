"""Operators' view of leads, across teams (TeamMiddleware disables scopes in the admin).

The timeline, tours and tasks are shown read-only: changing them has consequences (timeline
entries, follow-up dates, the agents' calendars) that only the app's services take care of.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import Q, QuerySet
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest

from crm.leads.models import Lead, LeadActivity, Task, Tour
from crm.leads.phones import digits, normalize_phone
from crm.teams.models import Membership

RECENT_ACTIVITIES = 20


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class RecentActivityFormSet(BaseInlineFormSet):
    def get_queryset(self) -> QuerySet[LeadActivity]:
        if not hasattr(self, "_recent"):
            self._recent = super().get_queryset().order_by("-created_at", "-id")[:RECENT_ACTIVITIES]
        return self._recent


class ActivityInline(ReadOnlyInline):
    model = LeadActivity
    formset = RecentActivityFormSet
    fields = readonly_fields = ("created_at", "kind", "summary", "actor")
    verbose_name_plural = f"timeline (latest {RECENT_ACTIVITIES})"

    def get_queryset(self, request: HttpRequest) -> QuerySet[LeadActivity]:
        return super().get_queryset(request).select_related("actor")


class TourInline(ReadOnlyInline):
    model = Tour
    fields = readonly_fields = ("starts_at", "ends_at", "property", "agent", "status")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Tour]:
        return super().get_queryset(request).select_related("property", "agent")


class TaskInline(ReadOnlyInline):
    model = Task
    fields = readonly_fields = ("title", "kind", "due_at", "assigned_to", "completed_at")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Task]:
        return super().get_queryset(request).select_related("assigned_to")


class LeadAdminForm(forms.ModelForm):
    # No Meta: the admin builds the form per request, inside its scopes_disabled(); a ModelForm
    # declared with its model would query the scoped managers at import.

    def clean_phone(self) -> str:
        raw = self.cleaned_data["phone"]
        if not raw:
            return ""
        phone = normalize_phone(raw)
        if phone is None:
            raise forms.ValidationError("Enter a valid phone number, e.g. +15125550100.")
        return phone

    def clean_email(self) -> str:
        return self.cleaned_data["email"].strip().lower()

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        team = cleaned.get("team") or getattr(self.instance, "team", None)
        if team is None:
            return cleaned
        prop, assignee = cleaned.get("property"), cleaned.get("assigned_to")
        if prop is not None and prop.team_id != team.pk:
            self.add_error("property", "This property belongs to another team.")
        if assignee is not None and not Membership.objects.filter(team=team, user=assignee).exists():
            self.add_error("assigned_to", "This user is not a member of the lead's team.")
        return cleaned


@admin.register(Lead)
class LeadAdmin(admin.ModelAdmin):
    form = LeadAdminForm
    list_display = ["name", "email", "phone", "stage", "source", "property", "assigned_to", "score", "created_at"]
    list_filter = ["stage", "source", "property", "team"]
    search_fields = ["first_name", "last_name", "email", "phone"]
    list_select_related = ["property", "assigned_to"]
    autocomplete_fields = ["team", "property", "assigned_to"]
    raw_id_fields = ["merged_into"]
    date_hierarchy = "created_at"
    readonly_fields = [
        "score",
        "score_factors",
        "score_explanation",
        "next_follow_up_at",
        "stage_changed_at",
        "last_activity_at",
        "created_at",
        "updated_at",
    ]
    fieldsets = (
        (None, {"fields": ("team", "first_name", "last_name", "email", "phone")}),
        ("Pipeline", {"fields": ("stage", "lost_reason", "property", "assigned_to", "source", "source_detail")}),
        ("Wants", {"fields": ("desired_beds", "budget_min", "budget_max", "move_in_date", "pets", "notes")}),
        ("Score", {"fields": ("score", "score_factors", "score_explanation")}),
        (
            "Dates",
            {"fields": ("next_follow_up_at", "stage_changed_at", "last_activity_at", "created_at", "updated_at")},
        ),
        ("Merge", {"fields": ("merged_into",)}),
    )
    inlines = [ActivityInline, TourInline, TaskInline]

    @admin.display(description="name", ordering="last_name")
    def name(self, lead: Lead) -> str:
        return lead.full_name

    def get_readonly_fields(self, request: HttpRequest, obj: Lead | None = None) -> list[str]:
        return [*self.readonly_fields, "team"] if obj else list(self.readonly_fields)

    def get_search_results(self, request: HttpRequest, queryset: QuerySet[Lead], search_term: str) -> Any:
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        # Phones are stored as E.164: let "(512) 555-0100" find +15125550100 too.
        number = digits(search_term)
        if len(number) >= 4 and number != search_term.strip():
            results |= queryset.filter(Q(phone__contains=number))
        return results, may_have_duplicates
