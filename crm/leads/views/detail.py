"""Placeholder: filled in by the leads issue."""

from __future__ import annotations

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
