from feidi.core import declare

from . import views  # noqa: F401 — the views route themselves (declare.route)

app_name = "cockpit"

urlpatterns = declare.urls(app_name)
