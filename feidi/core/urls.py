# the views route themselves (declare.route)
from . import declare  # noqa: F401
from . import views_calendar  # noqa: F401
from . import views_core  # noqa: F401
from . import views_stats  # noqa: F401

app_name = "core"

urlpatterns = declare.urls(app_name)
