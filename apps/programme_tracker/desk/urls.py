"""The desk pages, under /desk/ before the admin's own routes."""

from django.urls import path

from programme_tracker.desk import views

app_name = "desk"
urlpatterns = [
    path("dashboard/", views.dashboard_view, name="dashboard"),
    path("timeline/", views.timeline_view, name="timeline"),
    path("funding-ending/", views.ending_view, name="ending"),
    path("coverage/", views.coverage_view, name="coverage"),
    path("inbox/", views.inbox_view, name="inbox"),
    path("inbox/<int:alert_id>/<slug:action>/", views.inbox_act_view, name="inbox-act"),
    path("programmes/<int:pk>/", views.programme_view, name="programme"),
    path("report/", views.report_view, name="report"),
    # Not search/: that is the address of Unfold's own search (its Ctrl+K palette), under the admin.
    path("find/", views.search_view, name="search"),
    path("saved-views/", views.saved_views_view, name="saved-views"),
    path("api-tokens/", views.api_tokens_view, name="api-tokens"),
    path("accessibility/", views.accessibility_view, name="accessibility"),
    path("task-force/", views.task_force_view, name="task-force"),
    path("task-force/progress/", views.progress_view, name="progress"),
    path("task-force/meetings/<int:pk>/", views.meeting_view, name="meeting"),
    path("task-force/meetings/<int:pk>/items/", views.meeting_add_item_view, name="meeting-add-item"),
    path("task-force/meetings/<int:pk>/items/<int:item_id>/", views.meeting_item_view, name="meeting-item"),
    path("task-force/meetings/<int:pk>/<slug:kind>.<slug:file_format>", views.meeting_document_view,
         name="meeting-document"),
]
