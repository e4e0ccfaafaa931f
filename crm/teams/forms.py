from __future__ import annotations

from typing import Any

from django import forms

from crm.teams.models import Team
from crm.teams.roles import Role, grantable_roles


class InvitationForm(forms.Form):
    email = forms.EmailField(label="Email address", max_length=254)
    role = forms.ChoiceField(label="Role", choices=Role.choices, initial=Role.AGENT)

    def __init__(self, *args: Any, actor_role: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        role_field: forms.ChoiceField = self.fields["role"]  # type: ignore[assignment]
        role_field.choices = [(r.value, r.label) for r in grantable_roles(actor_role)]


class RoleForm(forms.Form):
    role = forms.ChoiceField(choices=Role.choices)


class TeamCreateForm(forms.Form):
    name = forms.CharField(label="Company name", max_length=120)


class TeamProfileForm(forms.ModelForm):
    class Meta:
        model = Team
        fields = ["name", "postal_address"]
        widgets = {"postal_address": forms.Textarea(attrs={"rows": 3})}


class ApiTokenForm(forms.Form):
    name = forms.CharField(label="Token name", max_length=80, help_text="What will use it, e.g. “Zapier”.")
