"""The ad copy page (form and results), and the saved drafts.

One view serves the page and, for htmx, the ``#generator`` fragment (form plus results). Each
variation has a Copy button (static/js/app.js copies its plain-text twin) and a "Save as draft"
form that works with or without JavaScript.
"""

from __future__ import annotations

import json
from typing import Any
from uuid import UUID

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import pluralize
from django.urls import path, reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from crm.marketing.forms import AdCopyForm, DraftSaveForm, team_properties
from crm.marketing.models import AdCopyDraft
from crm.marketing.permissions import CAN_GENERATE, CAN_VIEW
from crm.marketing.platforms import CallToAction, Platform, plain_text, text_fields
from crm.marketing.services import AdCopyResult, ad_copy_draft_delete, ad_copy_draft_save, ad_copy_generate
from crm.properties.models import Property
from crm.teams.access import get_team_object, team_required
from crm.teams.types import TeamRequest

TEMPLATE = "marketing/ad_copy.html"
MAX_DRAFTS_LISTED = 200
MAX_SEED = 10_000


def variation_card(platform: str, variation: dict[str, Any], dom_id: str) -> dict[str, Any]:
    """What the template shows for one variation: each field with its length against the limit."""
    rows: list[dict[str, Any]] = []
    for spec in text_fields(platform):
        texts = (variation.get(spec.key) or []) if spec.many else [variation.get(spec.key) or ""]
        items = [{"text": text, "length": len(text), "limit": spec.limit} for text in texts]
        rows.append({"label": spec.label, "many": spec.many, "items": items})
    if Platform(platform).is_meta:
        cta = variation.get("call_to_action", "")
        label = CallToAction(cta).label if cta in CallToAction.values else cta
        rows.append({"label": "Call to action", "many": False, "items": [{"text": f"{label} ({cta})"}]})
    return {
        "dom_id": dom_id,
        "rows": rows,
        "plain": plain_text(platform, variation),
        "json": json.dumps(variation, ensure_ascii=False),
    }


def _seed(raw: str | None) -> int:
    try:
        return min(max(int(raw or 0), 0), MAX_SEED)
    except ValueError:
        return 0


def _results_context(result: AdCopyResult, seed: int) -> dict[str, Any]:
    return {
        "result": result,
        "cards": [
            variation_card(result.platform, variation, f"variation-{number}")
            for number, variation in enumerate(result.variations, start=1)
        ],
        "next_seed": seed + 1,
    }


def _summary(result: AdCopyResult) -> str:
    """One line for the toast region, which screen readers announce."""
    shown, blocked = len(result.variations), len(result.blocked)
    text = f"{shown} variation{pluralize(shown)} ready"
    return f"{text}; {blocked} blocked by the checks." if blocked else f"{text}."


@require_http_methods(["GET", "POST"])
@team_required(role=CAN_GENERATE)
def ad_copy(request: TeamRequest) -> HttpResponse:
    context: dict[str, Any] = {"ai_online": settings.OPENAI_ENABLED, "has_properties": team_properties().exists()}
    status = 200
    if request.method == "POST":
        form = AdCopyForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            seed = _seed(request.POST.get("seed"))
            result = ad_copy_generate(
                team=request.team,
                property=data["property"],
                platform=data["platform"],
                objective=data["objective"],
                tone=data["tone"],
                count=data["variations"],
                highlights=data["highlights"],
                seed=seed,
            )
            context.update(_results_context(result, seed))
            messages.info(request, _summary(result))
        else:
            status = 422
    else:
        chosen = request.GET.get("property")
        form = AdCopyForm(initial={"property": chosen} if chosen else None)
    context["form"] = form
    template = f"{TEMPLATE}#generator" if request.htmx else TEMPLATE
    return render(request, template, context, status=status)


SAVE_FIELDS = ("property", "platform", "objective", "tone", "engine", "content", "number")


@require_POST
@team_required(role=CAN_GENERATE)
def draft_save(request: TeamRequest) -> HttpResponse:
    form = DraftSaveForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            draft = ad_copy_draft_save(
                team=request.team,
                property=data["property"],
                platform=data["platform"],
                objective=data["objective"],
                tone=data["tone"],
                engine=data["engine"],
                content=data["content"],
                actor=request.user,
            )
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(request, f"Saved as a draft for {draft.property.name}.")
            if request.htmx:
                return render(request, "marketing/_save_draft.html", {"saved": draft})
            return redirect("marketing:draft-detail", draft_id=draft.pk)
    else:
        error = "This copy could not be saved: " + "; ".join(
            f"{name}: {' '.join(str(error) for error in errors)}" for name, errors in form.errors.items()
        )
    if request.htmx:
        save = {name: request.POST.get(name, "") for name in SAVE_FIELDS}
        return render(request, "marketing/_save_draft.html", {"save": save, "error": error}, status=422)
    messages.error(request, error)
    return redirect("marketing:ad-copy")


def _property_filter(raw: str | None) -> Property | None:
    try:
        return Property.objects.filter(pk=UUID(raw or "")).first()
    except ValueError:
        return None


@require_GET
@team_required(role=CAN_VIEW)
def draft_list(request: TeamRequest) -> HttpResponse:
    chosen = _property_filter(request.GET.get("property"))
    drafts = AdCopyDraft.objects.select_related("property", "created_by")
    if chosen is not None:
        drafts = drafts.filter(property=chosen)
    context = {
        "drafts": drafts[:MAX_DRAFTS_LISTED],
        "properties": Property.objects.filter(ad_copy_drafts__isnull=False).distinct().order_by("name"),
        "chosen": chosen,
        "can_generate": request.membership.has_role(CAN_GENERATE),
    }
    return render(request, "marketing/drafts.html", context)


@require_GET
@team_required(role=CAN_VIEW)
def draft_detail(request: TeamRequest, draft_id: UUID) -> HttpResponse:
    draft = get_team_object(AdCopyDraft, pk=draft_id)
    context = {
        "draft": draft,
        "card": variation_card(draft.platform, draft.content, "draft"),
        "can_delete": draft.can_delete(request.membership),
    }
    return render(request, "marketing/draft_detail.html", context)


@require_POST
@team_required(role=CAN_GENERATE)
def draft_delete(request: TeamRequest, draft_id: UUID) -> HttpResponse:
    draft = get_team_object(AdCopyDraft, pk=draft_id)
    if not draft.can_delete(request.membership):
        raise PermissionDenied("Only its author or a manager can delete this draft.")
    ad_copy_draft_delete(draft=draft, membership=request.membership)
    messages.success(request, "Draft deleted.")
    url = reverse("marketing:drafts")
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


urlpatterns = [
    path("ad-copy/", ad_copy, name="ad-copy"),
    path("ad-copy/drafts/", draft_list, name="drafts"),
    path("ad-copy/drafts/new/", draft_save, name="draft-save"),
    path("ad-copy/drafts/<uuid:draft_id>/", draft_detail, name="draft-detail"),
    path("ad-copy/drafts/<uuid:draft_id>/delete/", draft_delete, name="draft-delete"),
]
