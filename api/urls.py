from __future__ import annotations

from django.conf import settings
from django.urls import path
from rest_framework.routers import SimpleRouter

from api import ad_copy, agents, compliance, docs, inbox, knowledge, knowledge_search, leads, properties, views

app_name = "api"

# SimpleRouter: no browsable root view and no ``.json`` suffix routes, just the resources.
router = SimpleRouter(use_regex_path=False)
router.register("leads", leads.LeadViewSet, basename="lead")
router.register("properties", properties.PropertyViewSet, basename="property")
router.register("units", properties.UnitViewSet, basename="unit")
router.register("knowledge/documents", knowledge.DocumentViewSet, basename="knowledge-document")
router.register("conversations", inbox.ConversationViewSet, basename="conversation")

urlpatterns = [
    path("me/", views.me, name="me"),
    path("ad-copy/generate/", ad_copy.generate, name="ad-copy-generate"),
    path("knowledge/search/", knowledge_search.knowledge_search, name="knowledge-search"),
    path("compliance/fair-housing/check/", compliance.fair_housing_check, name="fair-housing-check"),
    # One route per agent (not an {agent} parameter): an unknown agent is a 404 before any view runs.
    *[
        path(f"agents/{name}/execute/", agents.execute, {"agent": name}, name=f"agent-execute-{name}")
        for name in ("coo", "leasing", "marketing", "property")
    ],
    path("agents/actions/", agents.PendingActionList.as_view(), name="agent-actions"),
    path("agents/actions/<uuid:action_id>/approve/", agents.action_approve, name="agent-action-approve"),
    path("agents/actions/<uuid:action_id>/reject/", agents.action_reject, name="agent-action-reject"),
    path("agents/activity/", agents.AgentActivityList.as_view(), name="agent-activity"),
    *router.urls,
]

if settings.API_DOCS_ENABLED:
    urlpatterns += [
        path("schema/", docs.SchemaView.as_view(), name="schema"),
        path("docs/", docs.DocsView.as_view(url_name="api:schema"), name="docs"),
    ]
