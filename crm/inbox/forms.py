"""Forms for the inbox: they parse and shape input; sending, consent and Fair Housing checks live
in ``crm.inbox.services``."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet

from crm.accounts.models import User
from crm.inbox.models import CannedReply, Channel
from crm.inbox.selectors import STATUS_CHOICES, WHO_CHOICES
from crm.inbox.services.canned import VARIABLES, validate_canned_body
from crm.leads.forms import working_members
from crm.leads.models import Lead
from crm.leads.phones import normalize_phone
from crm.properties.models import Property
from crm.teams.models import Team

VARIABLE_HELP = "Variables: " + ", ".join(f"{{{name}}}" for name in VARIABLES) + "."


class ThreadFilterForm(forms.Form):
    """Only renders the filters; ``ThreadFilters.from_query`` reads them (bad values fall back)."""

    who = forms.ChoiceField(label="Show", choices=WHO_CHOICES, required=False, widget=forms.RadioSelect)
    q = forms.CharField(
        label="Search",
        required=False,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "Name, phone or email"}),
    )
    channel = forms.ChoiceField(label="Channel", required=False, choices=[("", "All channels"), *Channel.choices])
    property = forms.ChoiceField(label="Property", required=False)
    status = forms.ChoiceField(label="Status", required=False, choices=STATUS_CHOICES)
    unread = forms.BooleanField(label="Unread only", required=False)

    def __init__(self, *args: Any, properties: list[Property], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: forms.ChoiceField = self.fields["property"]  # type: ignore[assignment]
        field.choices = [("", "All properties"), *((str(p.pk), p.name) for p in properties)]


class ComposerForm(forms.Form):
    body = forms.CharField(
        label="Message", required=False, max_length=20000, widget=forms.Textarea(attrs={"rows": 3, "data-composer": ""})
    )
    subject = forms.CharField(label="Subject", required=False, max_length=200)


class CannedPickForm(forms.Form):
    canned = forms.ModelChoiceField(
        label="Canned reply", queryset=CannedReply.objects.none(), empty_label="Insert a canned reply…"
    )
    body = forms.CharField(required=False, max_length=20000)
    subject = forms.CharField(required=False, max_length=200)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: forms.ModelChoiceField = self.fields["canned"]  # type: ignore[assignment]
        field.queryset = CannedReply.objects.order_by("title")


class AssignForm(forms.Form):
    assignee = forms.ChoiceField(label="Assign to", required=False)

    def __init__(self, *args: Any, team: Team, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.members = {str(member.pk): member for member in working_members(team)}
        field: forms.ChoiceField = self.fields["assignee"]  # type: ignore[assignment]
        field.choices = [
            ("", "Nobody"),
            ("me", f"Me ({user.display_name})"),
            *((pk, member.display_name) for pk, member in self.members.items() if member.pk != user.pk),
        ]
        self.user = user

    def clean_assignee(self) -> User | None:
        value = self.cleaned_data["assignee"]
        if value == "me":
            if str(self.user.pk) not in self.members:
                raise ValidationError("You need the agent role or higher to hold conversations.")
            return self.user
        return self.members.get(value) if value else None


class CannedReplyForm(forms.ModelForm):
    class Meta:
        model = CannedReply
        fields = ["title", "body"]
        widgets = {"body": forms.Textarea(attrs={"rows": 5})}
        help_texts = {"body": VARIABLE_HELP}

    def __init__(self, *args: Any, team: Team, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.team = team

    def clean_body(self) -> str:
        body = self.cleaned_data["body"]
        validate_canned_body(body)
        return body

    def clean_title(self) -> str:
        title = self.cleaned_data["title"].strip()
        clash = CannedReply.objects.filter(title__iexact=title)
        if self.instance.pk:
            clash = clash.exclude(pk=self.instance.pk)
        if clash.exists():
            raise ValidationError("A canned reply with this title already exists.")
        return title

    def save(self, commit: bool = True) -> CannedReply:
        self.instance.team = self.team
        return super().save(commit)


class SimulateForm(forms.Form):
    property = forms.ModelChoiceField(label="To property", queryset=Property.objects.none(), empty_label=None)
    from_phone = forms.CharField(label="From phone", max_length=40, initial="+15125550100")
    body = forms.CharField(label="Text", max_length=1600, widget=forms.Textarea(attrs={"rows": 2}))
    media_url = forms.URLField(label="Photo URL", required=False, assume_scheme="https")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Its own ids: the thread filters on the same page have a "property" field too.
        kwargs.setdefault("auto_id", "simulate_%s")
        super().__init__(*args, **kwargs)
        field: forms.ModelChoiceField = self.fields["property"]  # type: ignore[assignment]
        field.queryset = sms_properties()

    def clean_from_phone(self) -> str:
        phone = normalize_phone(self.cleaned_data["from_phone"])
        if phone is None:
            raise ValidationError("Enter a valid phone number.")
        return phone


def sms_properties() -> QuerySet[Property]:
    return Property.objects.filter(sms_number__isnull=False).exclude(sms_number="").order_by("name")


CHANNEL_AUTO = [("", "Each lead's usual channel"), *Channel.choices]


class BulkSendForm(forms.Form):
    lead = forms.ModelMultipleChoiceField(label="Leads", queryset=Lead.objects.none())
    canned = forms.ModelChoiceField(
        label="Canned reply",
        required=False,
        queryset=CannedReply.objects.none(),
        empty_label="— or write the text below —",
    )
    body = forms.CharField(
        label="Text",
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=VARIABLE_HELP,
    )
    channel = forms.ChoiceField(label="Channel", required=False, choices=CHANNEL_AUTO)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        leads: forms.ModelMultipleChoiceField = self.fields["lead"]  # type: ignore[assignment]
        leads.queryset = Lead.objects.active()
        canned: forms.ModelChoiceField = self.fields["canned"]  # type: ignore[assignment]
        canned.queryset = CannedReply.objects.order_by("title")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        canned, body = data.get("canned"), (data.get("body") or "").strip()
        if not canned and not body:
            raise ValidationError("Choose a canned reply or write the text.")
        text = body or (canned.body if canned else "")
        try:
            validate_canned_body(text)
        except ValidationError as exc:
            self.add_error("body", exc)
        data["text"] = text
        return data


class NewConversationForm(forms.Form):
    channel = forms.ChoiceField(label="Channel", choices=Channel.choices)
    subject = forms.CharField(label="Subject", required=False, max_length=200)
    body = forms.CharField(
        label="Message", max_length=20000, widget=forms.Textarea(attrs={"rows": 4, "data-composer": ""})
    )
