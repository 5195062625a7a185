from feidi.core import declare

from . import views_admin  # noqa: F401 — the views route themselves (declare.route)
from . import views_auth  # noqa: F401 — the views route themselves (declare.route)

app_name = "accounts"

urlpatterns = declare.urls(app_name)
