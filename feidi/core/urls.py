from django.urls import path

from . import views_calendar as vc
from . import views_core as v
from . import views_stats as vs
from .routing import crud_urls

app_name = "core"

urlpatterns = [
    path("downloads/", v.ExportFileListView.as_view(), name="exportfile_list"),
    path("downloads/<int:pk>/file/", v.ExportFileDownloadView.as_view(), name="exportfile_download"),
    path("imports/", v.ImportJobListView.as_view(), name="importjob_list"),
    path("imports/<int:pk>/", v.ImportJobDetailView.as_view(), name="importjob_detail"),
    path("dictionaries/", v.DictItemListView.as_view(), name="dictitem_list"),
    path("dictionaries/add/", v.DictItemEditView.as_view(), name="dictitem_add"),
    path("dictionaries/<int:pk>/edit/", v.DictItemEditView.as_view(), name="dictitem_edit"),
    path("calendar/", v.CalendarDayListView.as_view(), name="calendarday_list"),
    path("calendar/add/", v.CalendarDayEditView.as_view(), name="calendarday_add"),
    path("calendar/<int:pk>/edit/", v.CalendarDayEditView.as_view(), name="calendarday_edit"),
    path("calendar/<int:pk>/delete/", v.CalendarDayDeleteView.as_view(), name="calendarday_delete"),
    path("calendar/years/", vc.CalendarYearListView.as_view(), name="calendaryear_list"),
    path("calendar/years/enter/", vc.CalendarYearEnterView.as_view(), name="calendaryear_enter"),
    path("calendar/years/<int:pk>/", vc.CalendarYearDetailView.as_view(), name="calendaryear_detail"),
    path("inbox/", v.NotificationListView.as_view(), name="notification_list"),
    path("inbox/<int:pk>/", v.NotificationOpenView.as_view(), name="notification_open"),
    *crud_urls("robots", "webhookendpoint", v.WebhookEndpointListView, v.WebhookEndpointDetailView,
               v.WebhookEndpointEditView, v.WebhookEndpointDeleteView),
    path("deliveries/", v.DeliveryListView.as_view(), name="delivery_list"),
    path("stats/", vs.StatsView.as_view(), name="stats"),
    path("stats/saved/", vs.SavedQueryCreateView.as_view(), name="savedquery_add"),
    path("stats/saved/<int:pk>/delete/", vs.SavedQueryDeleteView.as_view(), name="savedquery_delete"),
    path("audit/", v.AuditRecordListView.as_view(), name="auditrecord_list"),
    path("audit/<int:pk>/", v.AuditRecordDetailView.as_view(), name="auditrecord_detail"),
    path("audit/verify/", v.AuditVerifyView.as_view(), name="auditrecord_verify"),
]
