"""The electronic audit's pages for auditors (alerts, daily reports), included by web/urls_security.py."""

from django.urls import path

from web import inspection

urlpatterns: list = [
    path("staff/audit/alerts/", inspection.alerts, name="staff-alerts"),
    path("staff/audit/alerts/<int:pk>/", inspection.alert_detail, name="staff-alert"),
    path("staff/audit/alerts/<int:pk>/acknowledge/", inspection.acknowledge, name="staff-alert-acknowledge"),
    path("staff/audit/alerts/<int:pk>/assign/", inspection.assign, name="staff-alert-assign"),
    path("staff/audit/alerts/<int:pk>/comment/", inspection.comment, name="staff-alert-comment"),
    path("staff/audit/alerts/<int:pk>/close/", inspection.close, name="staff-alert-close"),
    path("staff/audit/alerts/<int:pk>/reopen/", inspection.reopen, name="staff-alert-reopen"),
    path("staff/audit/reports/", inspection.reports, name="staff-audit-reports"),
    path("staff/audit/reports/build/", inspection.build_report, name="staff-audit-report-build"),
    path("staff/audit/reports/<str:day>/", inspection.report, name="staff-audit-report"),
    path("staff/audit/reports/<str:day>/pdf/", inspection.report_download, name="staff-audit-report-pdf"),
]
