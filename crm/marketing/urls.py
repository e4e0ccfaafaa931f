from __future__ import annotations

from crm.marketing import views

app_name = "marketing"

urlpatterns = views.urlpatterns
