"""The knowledge base pages: the document list (filters, live status), adding documents (files,
pasted text, Q&A), and one document's page (passages, edit, re-upload, retry, delete).

Reading needs any membership (CAN_READ); every change needs CAN_EDIT. The work lives in
``knowledge.services``; the list follows ingestion by polling the rows still being read.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode
from uuid import UUID

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect, trigger_client_event

from crm.teams.access import team_required
from crm.teams.types import TeamRequest
from knowledge.extraction import clean_filename
from knowledge.forms import EVERY_PROPERTY, EditForm, FilterForm, QAForm, ReplaceForm, TextForm, UploadForm
from knowledge.models import Document, DocumentSource, DocumentStatus
from knowledge.permissions import CAN_EDIT, CAN_READ
from knowledge.services import (
    document_create_qa,
    document_create_text,
    document_create_upload,
    document_delete,
    document_replace,
    document_retry,
    document_update,
)

PAGE_SIZE = 50
PASSAGES_SHOWN = 100
CHANGED = "documentsChanged"  # the htmx event that makes the document list reload itself


def _go(request: TeamRequest, url: str) -> HttpResponse:
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


def _can_edit(request: TeamRequest) -> bool:
    return request.membership.has_role(CAN_EDIT)


def _documents(filters: dict[str, str]) -> QuerySet[Document]:
    documents = Document.objects.select_related("property").defer("text", "file")
    if filters.get("property") == EVERY_PROPERTY:
        documents = documents.filter(property__isnull=True)
    elif filters.get("property"):
        documents = documents.filter(property_id=filters["property"])
    if filters.get("kind"):
        documents = documents.filter(kind=filters["kind"])
    if filters.get("status"):
        documents = documents.filter(status=filters["status"])
    return documents.order_by("-created_at", "-id")


def _add_forms(request: TeamRequest) -> dict[str, Any]:
    if not _can_edit(request):
        return {}
    return {"upload_form": UploadForm(), "text_form": TextForm(), "qa_form": QAForm()}


def _team_document(document_id: UUID) -> Document:
    # Like get_team_object (the scoped manager hides other teams' documents), with the joins the pages need.
    document = Document.objects.select_related("property", "uploaded_by").filter(pk=document_id).first()
    if document is None:
        raise Http404("No document found.")
    return document


# --- The list ------------------------------------------------------------------------------------


@require_GET
@team_required(role=CAN_READ)
def index(request: TeamRequest) -> HttpResponse:
    filter_form = FilterForm(request.GET)
    filters = filter_form.filters()
    page = Paginator(_documents(filters), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "filter_form": filter_form,
        "filtered": bool(filters),
        "page": page,
        "documents": page.object_list,
        "can_edit": _can_edit(request),
        "list_url": request.get_full_path(),
        "page_query": urlencode(filters) + "&" if filters else "",
        **_add_forms(request),
    }
    if request.htmx and request.htmx.target == "document-list":
        return render(request, "knowledge/index.html#document-list", context)
    return render(request, "knowledge/index.html", context)


@require_GET
@team_required(role=CAN_READ)
def document_row(request: TeamRequest, document_id: UUID) -> HttpResponse:
    """One row of the list, polled while its document is being read."""
    document = _team_document(document_id)
    if not request.htmx:
        return redirect("knowledge:document", document_id=document.pk)
    return render(request, "knowledge/_document_row.html", {"document": document, "can_edit": _can_edit(request)})


# --- Adding --------------------------------------------------------------------------------------


def _added(request: TeamRequest, response: HttpResponse) -> HttpResponse:
    return trigger_client_event(response, CHANGED, {})


@require_http_methods(["GET", "POST"])
@team_required(role=CAN_EDIT)
def upload(request: TeamRequest) -> HttpResponse:
    """Several files at once; each is checked on its own, so one bad file does not stop the rest."""
    posted = request.method == "POST"
    form = UploadForm(request.POST, request.FILES) if posted else UploadForm()
    file_errors: list[tuple[str, str]] = []
    added: list[Document] = []
    if posted and form.is_valid():
        data = form.cleaned_data
        for upload in data["file"]:
            try:
                added.append(
                    document_create_upload(
                        team=request.team,
                        upload=upload,
                        property=data["property"],
                        kind=data["kind"],
                        expires_on=data["expires_on"],
                        actor=request.user,
                    )
                )
            except ValidationError as exc:
                file_errors.append((clean_filename(upload.name or ""), " ".join(exc.messages)))
        if added:
            names = ", ".join(f"“{document.title}”" for document in added)
            messages.success(request, f"Added {names}. Reading {'it' if len(added) == 1 else 'them'} now.")
        if not file_errors:
            if not request.htmx:
                return redirect("knowledge:index")
            form = UploadForm()
    status = 422 if posted and not added else 200
    context = {"upload_form": form, "file_errors": file_errors}
    if request.htmx:
        response = render(request, "knowledge/index.html#upload-form", context, status=status)
        return _added(request, response) if added else response
    return render(request, "knowledge/add.html", {**context, "adding": "upload"}, status=status)


def _add_words(
    request: TeamRequest,
    form_class: type[TextForm] | type[QAForm],
    name: str,
    create: Callable[[dict[str, Any]], Document],
) -> HttpResponse:
    posted = request.method == "POST"
    form = form_class(request.POST) if posted else form_class()
    if posted and form.is_valid():
        try:
            document = create(form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"Added “{document.title}”.")
            if not request.htmx:
                return redirect("knowledge:index")
            return _added(request, render(request, f"knowledge/index.html#{name}-form", {f"{name}_form": form_class()}))
    status = 422 if posted else 200
    if request.htmx:
        return render(request, f"knowledge/index.html#{name}-form", {f"{name}_form": form}, status=status)
    return render(request, "knowledge/add.html", {f"{name}_form": form, "adding": name}, status=status)


@require_http_methods(["GET", "POST"])
@team_required(role=CAN_EDIT)
def add_text(request: TeamRequest) -> HttpResponse:
    def create(data: dict[str, Any]) -> Document:
        return document_create_text(
            team=request.team,
            title=data["title"],
            text=data["text"],
            property=data["property"],
            kind=data["kind"],
            expires_on=data["expires_on"],
            actor=request.user,
        )

    return _add_words(request, TextForm, "text", create)


@require_http_methods(["GET", "POST"])
@team_required(role=CAN_EDIT)
def add_qa(request: TeamRequest) -> HttpResponse:
    def create(data: dict[str, Any]) -> Document:
        return document_create_qa(
            team=request.team,
            question=data["question"],
            answer=data["answer"],
            property=data["property"],
            kind=data["kind"],
            expires_on=data["expires_on"],
            actor=request.user,
        )

    return _add_words(request, QAForm, "qa", create)


# --- One document --------------------------------------------------------------------------------


@require_GET
@team_required(role=CAN_READ)
def detail(request: TeamRequest, document_id: UUID) -> HttpResponse:
    document = _team_document(document_id)
    passages = list(document.chunks.only("ordinal", "heading", "text").order_by("ordinal")[:PASSAGES_SHOWN])
    context = {"document": document, "passages": passages, "can_edit": _can_edit(request)}
    if request.htmx and request.htmx.target == "document-body":
        return render(request, "knowledge/detail.html#document-body", context)
    return render(request, "knowledge/detail.html", context)


@require_GET
@team_required(role=CAN_READ)
def download(request: TeamRequest, document_id: UUID) -> FileResponse:
    document = _team_document(document_id)
    if document.source != DocumentSource.FILE or not document.file:
        raise Http404("This document has no file.")
    return FileResponse(
        document.file.open("rb"),
        as_attachment=True,
        filename=document.original_filename or f"document.{document.file.name.rsplit('.', 1)[-1]}",
        content_type=document.content_type or "application/octet-stream",
    )


@require_http_methods(["GET", "POST"])
@team_required(role=CAN_EDIT)
def edit(request: TeamRequest, document_id: UUID) -> HttpResponse:
    document = _team_document(document_id)
    posted = request.method == "POST"
    form = EditForm(request.POST if posted else None, document=document)
    if posted and form.is_valid():
        data = form.cleaned_data
        try:
            document_update(
                document=document,
                title=data.get("title") or data.get("question") or document.title,
                kind=data["kind"],
                property=data["property"],
                expires_on=data["expires_on"],
                text=data.get("text"),
                question=data.get("question"),
                answer=data.get("answer"),
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"Saved “{document.title}”.")
            return _go(request, reverse("knowledge:document", kwargs={"document_id": document.pk}))
    template = "knowledge/edit.html#edit-form" if request.htmx else "knowledge/edit.html"
    return render(request, template, {"document": document, "form": form}, status=422 if posted else 200)


@require_http_methods(["GET", "POST"])
@team_required(role=CAN_EDIT)
def replace(request: TeamRequest, document_id: UUID) -> HttpResponse:
    document = _team_document(document_id)
    if document.source != DocumentSource.FILE:
        messages.info(request, "Pasted text and Q&A entries are changed by editing them.")
        return _go(request, reverse("knowledge:edit", kwargs={"document_id": document.pk}))
    posted = request.method == "POST"
    form = ReplaceForm(request.POST, request.FILES) if posted else ReplaceForm()
    if posted and form.is_valid():
        previous_hash = document.content_hash
        try:
            document_replace(document=document, upload=form.cleaned_data["file"], actor=request.user)
        except ValidationError as exc:
            form.add_error("file", exc)
        else:
            if document.content_hash == previous_hash and document.status != DocumentStatus.PENDING:
                messages.info(request, "That is the same file as before: nothing changed.")
            else:
                messages.success(request, f"Replaced the file of “{document.title}”. Reading it now.")
            return _go(request, reverse("knowledge:document", kwargs={"document_id": document.pk}))
    template = "knowledge/replace.html#replace-form" if request.htmx else "knowledge/replace.html"
    return render(request, template, {"document": document, "form": form}, status=422 if posted else 200)


@require_POST
@team_required(role=CAN_EDIT)
def retry(request: TeamRequest, document_id: UUID) -> HttpResponse:
    document = document_retry(document=_team_document(document_id))
    messages.success(request, f"Reading “{document.title}” again.")
    if request.htmx:
        document.refresh_from_db()
        return render(request, "knowledge/_document_row.html", {"document": document, "can_edit": True})
    return redirect("knowledge:document", document_id=document.pk)


@require_http_methods(["GET", "POST"])
@team_required(role=CAN_EDIT)
def delete(request: TeamRequest, document_id: UUID) -> HttpResponse:
    """GET asks for confirmation (the page without JavaScript); POST deletes."""
    document = _team_document(document_id)
    if request.method == "GET":
        return render(request, "knowledge/delete.html", {"document": document})
    title = document.title
    document_delete(document=document)
    messages.success(request, f"Deleted “{title}”.")
    if request.htmx and request.htmx.target == f"document-{document_id}":
        return HttpResponse("")  # the list row swaps itself out
    return _go(request, reverse("knowledge:index"))
