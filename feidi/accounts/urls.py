from feidi.core import declare

# the views route themselves (declare.route)
from . import views_admin  # noqa: F401
from . import views_auth  # noqa: F401

app_name = "accounts"

urlpatterns = declare.urls(app_name)
