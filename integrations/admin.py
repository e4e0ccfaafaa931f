"""Per-team provider credentials in the admin. Secrets are write-only: the form shows which ones
are stored, never their values; a blank secret field keeps the stored value."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest

from integrations.crypto import CredentialsUnreadable
from integrations.models import SECRET_FIELDS, SETTING_FIELDS, IntegrationConfig, Provider


def secret_field(provider: str, key: str) -> str:
    return f"secret__{provider}__{key}"


def setting_field(provider: str, key: str) -> str:
    return f"setting__{provider}__{key}"


def _label(provider: str, key: str) -> str:
    return f"{Provider(provider).label.split(' ')[0]} {key.replace('_', ' ')}"


class IntegrationConfigFormBase(forms.ModelForm):
    # No Meta: the admin builds the form per request, inside its scopes_disabled().

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        stored = self.instance.settings if self.instance.pk else {}
        provider = self.instance.provider if self.instance.pk else ""
        for name, keys in SETTING_FIELDS.items():
            for key in keys:
                if name == provider and key in stored:
                    self.fields[setting_field(name, key)].initial = stored[key]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        provider = cleaned.get("provider") or self.instance.provider
        for name, keys in SECRET_FIELDS.items():
            if name == provider:
                continue
            for key in keys:
                if cleaned.get(secret_field(name, key)):
                    self.add_error(secret_field(name, key), f"This is a {Provider(name).label} field.")
        return cleaned

    def save(self, commit: bool = True) -> IntegrationConfig:
        config: IntegrationConfig = super().save(commit=False)
        provider = config.provider
        try:
            secrets = config.secrets if config.secrets_encrypted else {}
        except CredentialsUnreadable:
            secrets = {}  # unreadable with today's keys: whatever is typed now replaces it
        for key in SECRET_FIELDS.get(provider, ()):
            value = (self.cleaned_data.get(secret_field(provider, key)) or "").strip()
            if value:
                secrets[key] = value
        config.set_secrets(secrets)
        config.settings = {
            key: value
            for key in SETTING_FIELDS.get(provider, ())
            if (value := (self.cleaned_data.get(setting_field(provider, key)) or "").strip())
        }
        if commit:
            config.save()
        return config


def _build_form() -> type[IntegrationConfigFormBase]:
    fields: dict[str, forms.Field] = {}
    for provider, keys in SECRET_FIELDS.items():
        for key in keys:
            fields[secret_field(provider, key)] = forms.CharField(
                label=_label(provider, key),
                required=False,
                strip=True,
                widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
                help_text="Write-only. Leave blank to keep the stored value.",
            )
    for provider, keys in SETTING_FIELDS.items():
        for key in keys:
            fields[setting_field(provider, key)] = forms.CharField(label=_label(provider, key), required=False)
    return type("IntegrationConfigForm", (IntegrationConfigFormBase,), fields)


IntegrationConfigForm = _build_form()


@admin.register(IntegrationConfig)
class IntegrationConfigAdmin(admin.ModelAdmin):
    form = IntegrationConfigForm
    list_display = ["team", "provider", "enabled", "stored_secrets", "updated_at"]
    list_filter = ["provider", "enabled"]
    search_fields = ["team__name", "team__slug"]
    list_select_related = ["team"]
    autocomplete_fields = ["team"]
    readonly_fields = ["stored_secrets", "updated_at"]

    def get_fieldsets(self, request: HttpRequest, obj: IntegrationConfig | None = None) -> Any:
        sets: list[Any] = [(None, {"fields": ["team", "provider", "enabled", "stored_secrets"]})]
        for provider in Provider:
            names = [secret_field(provider, key) for key in SECRET_FIELDS.get(provider, ())]
            names += [setting_field(provider, key) for key in SETTING_FIELDS.get(provider, ())]
            if obj is None or obj.provider == provider:
                sets.append((provider.label, {"fields": names}))
        return sets

    def get_readonly_fields(self, request: HttpRequest, obj: IntegrationConfig | None = None) -> list[str]:
        # The provider decides which fields apply: fixed once saved (add another row for another one).
        return [*self.readonly_fields, "team", "provider"] if obj else list(self.readonly_fields)

    @admin.display(description="stored secrets")
    def stored_secrets(self, config: IntegrationConfig) -> str:
        """Which secrets are set, never what they are."""
        if not config.pk or not config.secrets_encrypted:
            return "none"
        try:
            keys = sorted(config.secrets)
        except CredentialsUnreadable:
            return "unreadable with the configured keys: enter them again"
        return ", ".join(f"{key} (set)" for key in keys) or "none"
