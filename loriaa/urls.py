from __future__ import annotations

from allauth.account.decorators import secure_admin_login
from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from loriaa import views

# The admin signs in through allauth: same rate limits, email verification and MFA.
admin.site.login = secure_admin_login(admin.site.login)  # type: ignore[method-assign]
admin.site.site_header = "Loriaa operations"
admin.site.site_title = "Loriaa admin"

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("api/v1/", include("api.urls")),
    path("", include("crm.dashboard.urls")),
    path("", include("crm.teams.urls")),
    path("leads/", include("crm.leads.urls")),
    path("marketing/", include("crm.marketing.urls")),
    path("inbox/", include("crm.inbox.urls")),
    path("agents/", include("agents.urls")),
    path("knowledge/", include("knowledge.urls")),
    path("webhooks/", include("integrations.urls")),
]

handler400 = views.bad_request
handler403 = views.permission_denied
handler404 = views.page_not_found
handler500 = views.server_error

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
