from django.urls import include
from django.urls import path
from django.views.i18n import JavaScriptCatalog
from django.views.i18n import set_language

from feidi.api import api
from feidi.core.views_home import HomeView
from feidi.core.views_home import WorkbenchView
from feidi.core.views_home import healthz

# Each app's pages under its prefix, in this order (the first pattern that matches serves the path).
# 揭榜挂帅 and the auctions are apps of their own, their pages still under /techmarket/.
APP_PAGES = {"accounts": "accounts", "core": "core", "registry": "registry", "services": "services",
             "chains": "chains", "projects": "projects", "indicators": "indicators", "techmarket": "techmarket",
             "challenges": "techmarket", "auctions": "techmarket", "policies": "policies", "cockpit": "cockpit",
             "intel": "intel"}

urlpatterns = [
    path("", HomeView.as_view(), name="home"),
    path("todo/", WorkbenchView.as_view(), name="workbench"),
    path("healthz", healthz, name="healthz"),
    *(path(f"{prefix}/", include(f"feidi.{app}.urls")) for app, prefix in APP_PAGES.items()),
    path("api/v1/", api.urls),
    path("i18n/setlang/", set_language, name="set_language"),
    # the charts' texts (gettext in feidi/static): the djangojs catalogue of the user's language
    path("i18n/js/", JavaScriptCatalog.as_view(), name="javascript_catalog"),
]

handler403 = "feidi.core.views_home.permission_denied"
handler404 = "feidi.core.views_home.page_not_found"
handler500 = "feidi.core.views_home.server_error"

