from feidi.core import declare

from . import dashboard  # noqa: F401 — the views route themselves (declare.route, declare.model)
from . import views  # noqa: F401 — the views route themselves (declare.route, declare.model)

app_name = "projects"

urlpatterns = declare.urls(app_name)
