from django.urls import path

from workflows.views import case_list, case_map, cases, dashboard, lists, notices, tasks

app_name = "workflows"
urlpatterns = [
    path("", lists.home, name="home"),
    path("inbox/", lists.inbox, name="inbox"),
    path("inbox/unassign/", tasks.bulk_unassign, name="inbox-unassign"),
    path("queue/", lists.queue, name="queue"),
    path("queue/claim/", tasks.bulk_claim, name="queue-claim"),
    path("archive/", lists.archive, name="archive"),
    path("cases/", case_list.case_list, name="cases"),
    path("map/", case_map.case_map, name="case-map"),
    path("map/data/", case_map.case_map_data, name="case-map-data"),
    path("cases/export.csv", case_list.case_export, name="cases-export"),
    path("cases/bulk/", case_list.cases_bulk, name="cases-bulk"),
    path("cases/filters/", case_list.saved_filter_create, name="cases-filter-save"),
    path(
        "cases/filters/<int:pk>/delete/",
        case_list.saved_filter_remove,
        name="cases-filter-delete",
    ),
    path("cases/<int:pk>/", cases.case_page, name="case"),
    path("cases/<int:pk>/act/<slug:action>/", cases.case_action, name="case-action"),
    path("cases/<int:pk>/photos/<int:attachment>/", cases.attachment_file, name="attachment"),
    path(
        "cases/<int:pk>/photos/<int:attachment>/thumb/",
        case_list.photo_thumbnail,
        name="attachment-thumb",
    ),
    path("cases/<int:pk>/complainant/", cases.complainant_reveal, name="case-reveal"),
    path("cases/<int:pk>/comment/", cases.case_comment, name="case-comment"),
    path("notices/", notices.notices, name="notices"),
    path("notices/read/", notices.notices_read, name="notices-read"),
    path("notices/<int:pk>/", notices.notice_open, name="notice"),
    path("dashboard/", dashboard.dashboard, name="dashboard"),
    path("escalations/", dashboard.escalations, name="escalations"),
    path("tasks/<int:pk>/", tasks.task_page, name="task"),
    path("tasks/<int:pk>/claim/", tasks.task_claim, name="task-claim"),
    path("tasks/<int:pk>/unassign/", tasks.task_unassign, name="task-unassign"),
]
