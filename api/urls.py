from __future__ import annotations

from django.conf import settings
from django.urls import path

from api import docs, views

app_name = "api"

urlpatterns = [
    path("me/", views.me, name="me"),
]

if settings.API_DOCS_ENABLED:
    urlpatterns += [
        path("schema/", docs.SchemaView.as_view(), name="schema"),
        path("docs/", docs.DocsView.as_view(url_name="api:schema"), name="docs"),
    ]
