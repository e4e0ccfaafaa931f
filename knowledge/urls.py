from django.urls import path

from knowledge import search_views, views

app_name = "knowledge"

urlpatterns = [
    path("", views.index, name="index"),
    path("upload/", views.upload, name="upload"),
    path("text/", views.add_text, name="add-text"),
    path("qa/", views.add_qa, name="add-qa"),
    path("documents/<uuid:document_id>/", views.detail, name="document"),
    path("documents/<uuid:document_id>/row/", views.document_row, name="document-row"),
    path("documents/<uuid:document_id>/file/", views.download, name="download"),
    path("documents/<uuid:document_id>/edit/", views.edit, name="edit"),
    path("documents/<uuid:document_id>/replace/", views.replace, name="replace"),
    path("documents/<uuid:document_id>/retry/", views.retry, name="retry"),
    path("documents/<uuid:document_id>/delete/", views.delete, name="delete"),
    *search_views.urlpatterns,
]
