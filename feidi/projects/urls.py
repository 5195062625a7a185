from feidi.core import declare

# the views route themselves (declare.route, declare.model)
from . import dashboard  # noqa: F401
from . import views  # noqa: F401

app_name = "projects"

urlpatterns = declare.urls(app_name)
