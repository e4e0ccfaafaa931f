"""Forms for the knowledge pages. They shape input; the checks on files and text live in the services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile

from crm.leads.forms import DATE_INPUT, team_properties
from crm.properties.models import Property
from knowledge.extraction import ACCEPT
from knowledge.models import Document, DocumentKind, DocumentSource, DocumentStatus
from knowledge.services import MAX_ANSWER_CHARS

MAX_FILES = 20
EVERY_PROPERTY = "none"  # the property filter's value for team-wide documents
AUTOSUBMIT = {"data-autosubmit": ""}  # static/js/app.js submits the form on change


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files from one ``<input type="file" multiple>`` (Django's documented recipe)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ACCEPT}))
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        files = data if isinstance(data, list | tuple) else [data] if data else []
        if not files:
            raise forms.ValidationError("Choose at least one file.", code="required")
        if len(files) > MAX_FILES:
            raise forms.ValidationError(f"Upload at most {MAX_FILES} files at a time.", code="max_files")
        return [super(MultipleFileField, self).clean(item, initial) for item in files]


class PropertyKindMixin(forms.Form):
    property: forms.ModelChoiceField[Property] = forms.ModelChoiceField(
        queryset=None,  # set per request, inside the team's scope
        required=False,
        empty_label="Every property",
        help_text="Leave on “Every property” for facts that hold across the portfolio.",
    )
    kind = forms.ChoiceField(choices=DocumentKind.choices, initial=DocumentKind.OTHER, label="Kind")
    expires_on = forms.DateField(
        required=False,
        widget=DATE_INPUT,
        label="Stops being true on",
        help_text="For specials and fees with an end date: expired facts are not used in answers.",
    )

    prefix_id = "id"  # the index page shows three of these forms: their ids must differ

    def __init__(self, *args: Any, current: Property | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", f"{self.prefix_id}-%s")
        super().__init__(*args, **kwargs)
        self.fields["property"].queryset = team_properties(current)  # type: ignore[attr-defined]


class UploadForm(PropertyKindMixin):
    prefix_id = "upload"
    file = MultipleFileField(
        label="Files",
        help_text="PDF, Word (.docx), HTML, Markdown or plain text; several at once. Each is titled after its "
        "file name: rename it afterwards.",
    )

    field_order = ["file", "property", "kind", "expires_on"]


class TextForm(PropertyKindMixin):
    prefix_id = "text"
    title = forms.CharField(max_length=200)
    text = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="Paste from an email or a web page. Lines starting with # become headings.",
    )

    field_order = ["title", "text", "property", "kind", "expires_on"]


class QAForm(PropertyKindMixin):
    prefix_id = "qa"
    question = forms.CharField(max_length=300, widget=forms.TextInput(attrs={"placeholder": "Do you allow cats?"}))
    answer = forms.CharField(max_length=MAX_ANSWER_CHARS, widget=forms.Textarea(attrs={"rows": 4}))

    field_order = ["question", "answer", "property", "kind", "expires_on"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].initial = DocumentKind.FAQ


class ReplaceForm(forms.Form):
    file = forms.FileField(
        label="New file",
        help_text="The document keeps its title, property and kind; its text is read again from this file.",
        widget=forms.FileInput(attrs={"accept": ACCEPT}),
    )


class EditForm(PropertyKindMixin):
    title = forms.CharField(max_length=200)
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 10}))
    question = forms.CharField(max_length=300)
    answer = forms.CharField(max_length=MAX_ANSWER_CHARS, widget=forms.Textarea(attrs={"rows": 4}))

    field_order = ["title", "question", "answer", "text", "property", "kind", "expires_on"]

    def __init__(self, *args: Any, document: Document, **kwargs: Any) -> None:
        initial = {
            "title": document.title,
            "text": document.text,
            "question": document.question,
            "answer": document.text,
            "property": document.property_id,
            "kind": document.kind,
            "expires_on": document.expires_on,
        }
        super().__init__(*args, initial=initial, current=document.property, **kwargs)
        # Only the words a document is made of are editable: a file's come from the file.
        if document.source != DocumentSource.TEXT:
            del self.fields["text"]
        if document.source != DocumentSource.QA:
            del self.fields["question"]
            del self.fields["answer"]
        else:
            del self.fields["title"]  # a Q&A entry is titled by its question


class FilterForm(forms.Form):
    """The document list's filters; anything malformed is ignored rather than refused."""

    property = forms.ChoiceField(required=False, label="Property", widget=forms.Select(attrs=AUTOSUBMIT))
    kind = forms.ChoiceField(
        required=False,
        choices=[("", "Any kind"), *DocumentKind.choices],
        label="Kind",
        widget=forms.Select(attrs=AUTOSUBMIT),
    )
    status = forms.ChoiceField(
        required=False,
        choices=[("", "Any status"), *DocumentStatus.choices],
        label="Status",
        widget=forms.Select(attrs=AUTOSUBMIT),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "filter-%s")
        super().__init__(*args, **kwargs)
        properties = [(str(pk), name) for pk, name in team_properties().values_list("pk", "name")]
        self.fields["property"].choices = [  # type: ignore[attr-defined]
            ("", "Any property"),
            (EVERY_PROPERTY, "Every property (team-wide)"),
            *properties,
        ]

    def filters(self) -> dict[str, str]:
        self.is_valid()  # an unknown value drops that filter alone: cleaned_data keeps the valid ones
        return {name: value for name, value in self.cleaned_data.items() if value}
