from feidi.core import declare

from . import views  # noqa: F401 — the views route themselves (declare.route, declare.model)

app_name = "auctions"

urlpatterns = declare.urls(app_name)
