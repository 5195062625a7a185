from django.urls import include
from django.urls import path
from django.views.i18n import JavaScriptCatalog
from django.views.i18n import set_language

from feidi.api import api
from feidi.core.views_home import HomeView
from feidi.core.views_home import WorkbenchView
from feidi.core.views_home import healthz

urlpatterns = [
    path("", HomeView.as_view(), name="home"),
    path("todo/", WorkbenchView.as_view(), name="workbench"),
    path("healthz", healthz, name="healthz"),
    path("accounts/", include("feidi.accounts.urls")),
    path("core/", include("feidi.core.urls")),
    path("registry/", include("feidi.registry.urls")),
    path("services/", include("feidi.services.urls")),
    path("chains/", include("feidi.chains.urls")),
    path("projects/", include("feidi.projects.urls")),
    path("indicators/", include("feidi.indicators.urls")),
    path("techmarket/", include("feidi.techmarket.urls")),
    # 揭榜挂帅 and the auctions are apps of their own, their pages still under /techmarket/
    path("techmarket/", include("feidi.challenges.urls")),
    path("techmarket/", include("feidi.auctions.urls")),
    path("policies/", include("feidi.policies.urls")),
    path("cockpit/", include("feidi.cockpit.urls")),
    path("intel/", include("feidi.intel.urls")),
    path("api/v1/", api.urls),
    path("i18n/setlang/", set_language, name="set_language"),
    # the charts' texts (gettext in feidi/static): the djangojs catalogue of the user's language
    path("i18n/js/", JavaScriptCatalog.as_view(), name="javascript_catalog"),
]

handler403 = "feidi.core.views_home.permission_denied"
handler404 = "feidi.core.views_home.page_not_found"
handler500 = "feidi.core.views_home.server_error"

