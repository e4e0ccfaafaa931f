from __future__ import annotations

from django.urls import path

from agents.views import activity, approvals, chat, policy
from agents.workforce import AGENTS

app_name = "agents"

urlpatterns = [
    path("", activity.index, name="index"),
    path("activity/", activity.activity_list, name="activity"),
    path("activity/export/", activity.activity_export, name="activity-export"),
    path("actions/<uuid:action_id>/approve/", approvals.action_approve, name="action-approve"),
    path("actions/<uuid:action_id>/reject/", approvals.action_reject, name="action-reject"),
    path("leads/<uuid:lead_id>/activity/", activity.lead_activity, name="lead-activity"),
    path("lead-picker/", chat.lead_picker, name="lead-picker"),
    path("policy/", policy.policy_save, name="policy"),
    path("policy/<uuid:property_id>/", policy.property_policy_save, name="policy-property"),
    # One route per agent (not an <agent> parameter): any other name is a 404 before a view runs.
    *[
        route
        for name in AGENTS
        for route in (
            path(f"{name}/", chat.chat, {"agent": name}, name=f"chat-{name}"),
            path(f"{name}/answer/", chat.answer, {"agent": name}, name=f"answer-{name}"),
            path(f"{name}/clear/", chat.clear, {"agent": name}, name=f"clear-{name}"),
        )
    ],
]
