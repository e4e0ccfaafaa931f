from __future__ import annotations

from typing import Any

from allauth.account.forms import SignupForm as AllauthSignupForm
from django import forms
from django.db import transaction
from django.http import HttpRequest

from crm.teams.services import team_create


class SignupForm(AllauthSignupForm):
    """Signing up creates the person and their company's team, with them as its owner."""

    name = forms.CharField(label="Your name", max_length=150, required=False)
    team_name = forms.CharField(
        label="Company name",
        max_length=120,
        help_text="Your property-management company. You can invite teammates next.",
    )

    field_order = ["name", "email", "team_name", "password1", "password2"]

    def save(self, request: HttpRequest) -> Any:
        with transaction.atomic():
            user = super().save(request)
            if user is None:  # allauth returns None when the email is taken and enumeration is prevented
                return user
            user.name = self.cleaned_data.get("name", "")
            user.save(update_fields=["name"])
            team = team_create(name=self.cleaned_data["team_name"], owner=user)
        request.session["team_id"] = str(team.id)
        return user
