from __future__ import annotations

from django.urls import path

from crm.teams import settings_views, views

app_name = "teams"

urlpatterns = [
    path("team/", views.members, name="members"),
    path("team/invite/", views.invite, name="invite"),
    path("team/members/<uuid:membership_id>/role/", views.member_role, name="member-role"),
    path("team/members/<uuid:membership_id>/remove/", views.member_remove, name="member-remove"),
    path("team/invitations/<uuid:invitation_id>/revoke/", views.invitation_revoke_view, name="invitation-revoke"),
    path("team/invitations/<uuid:invitation_id>/resend/", views.invitation_resend, name="invitation-resend"),
    path("teams/new/", views.create, name="create"),
    path("teams/switch/", views.switch, name="switch"),
    path("invitations/<str:token>/", views.invitation, name="invitation"),
    path("settings/", settings_views.settings_page, name="settings"),
    path("settings/api-tokens/", settings_views.token_create_view, name="token-create"),
    path("settings/api-tokens/<uuid:token_id>/revoke/", settings_views.token_revoke, name="token-revoke"),
]
