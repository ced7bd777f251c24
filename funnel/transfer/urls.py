from django.urls import path

from funnel.transfer import export_views, import_views

urlpatterns = [
    path("import/", import_views.import_start, name="import_start"),
    path("import/<id:pk>/", import_views.import_job, name="import_job"),
    path("import/<id:pk>/progress/", import_views.import_job_progress, name="import_job_progress"),
    path("import/<id:pk>/confirm/", import_views.import_confirm, name="import_confirm"),
    path("import/<id:pk>/cancel/", import_views.import_cancel, name="import_cancel"),
    path("imports/<id:pk>/undo/", import_views.import_undo, name="import_undo"),
    path("settings/your-data/", export_views.export_page, name="export"),
    path("settings/your-data/export.zip", export_views.export_download, name="export_download"),
]
