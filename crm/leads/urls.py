from __future__ import annotations

from crm.leads.views import board, detail, imports, scoring, tasks

app_name = "leads"

# Each screen's module owns its routes; `leads:index` is the board.
urlpatterns = [
    *board.urlpatterns,
    *detail.urlpatterns,
    *imports.urlpatterns,
    *tasks.urlpatterns,
    *scoring.urlpatterns,
]
