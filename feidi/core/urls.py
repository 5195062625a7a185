from . import declare, views_calendar, views_core, views_stats  # noqa: F401 — the views route themselves (declare.route)

app_name = "core"

urlpatterns = declare.urls(app_name)
