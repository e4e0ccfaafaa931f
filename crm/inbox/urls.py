from __future__ import annotations

from crm.inbox import views_unsubscribe
from crm.inbox.views import actions, bulk, canned, compose, pane, simulate, threads

app_name = "inbox"

# Each screen's module owns its routes; `inbox:index` is the two-pane inbox.
urlpatterns = [
    *threads.urlpatterns,
    *pane.urlpatterns,
    *compose.urlpatterns,
    *actions.urlpatterns,
    *canned.urlpatterns,
    *bulk.urlpatterns,
    *simulate.urlpatterns,
    *views_unsubscribe.urlpatterns,
]
