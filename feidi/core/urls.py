from . import declare  # noqa: F401 — the views route themselves (declare.route)
from . import views_calendar  # noqa: F401 — the views route themselves (declare.route)
from . import views_core  # noqa: F401 — the views route themselves (declare.route)
from . import views_stats  # noqa: F401 — the views route themselves (declare.route)

app_name = "core"

urlpatterns = declare.urls(app_name)
