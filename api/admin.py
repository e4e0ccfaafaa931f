from __future__ import annotations

from django.contrib import admin

from api.models import ApiToken


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "key_hint", "user", "team", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["revoked_at", "team"]
    search_fields = ["name", "key_hint", "user__email", "team__name"]
    readonly_fields = ["key_hint", "created_at", "last_used_at"]
    autocomplete_fields = ["user", "team"]
    actions = ["revoke"]

    def has_add_permission(self, request: object) -> bool:
        return False  # keys are shown once at creation; create them in the app or with create_api_token

    @admin.action(description="Revoke selected tokens")
    def revoke(self, request: object, queryset: object) -> None:
        for token in queryset:  # type: ignore[attr-defined]
            token.revoke()
