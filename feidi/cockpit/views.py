"""领导驾驶舱: one full-screen page of what a zone leader reports, refreshed from the data."""

from __future__ import annotations

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext
from django.views.generic import TemplateView

from feidi.core import declare

from . import figures

REFRESH_SECONDS = 300


@declare.route("", "overview")
class CockpitView(LoginRequiredMixin, TemplateView):
    template_name = "cockpit/overview.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        if user.organization_id or not user.has_perm("indicators.view_indicatorvalue"):
            raise PermissionDenied(gettext("驾驶舱供管委会领导和工作人员使用"))
        today = timezone.localdate()
        economy = figures.economy(user)
        pipeline = figures.pipeline(user, today)
        charts = {}
        if economy and economy["chart"]:
            charts["economy"] = {k: economy["chart"][k] for k in ("months", "this_year", "last_year")}
        if pipeline:
            charts.update({k: pipeline[k] for k in ("funnel", "cumulative", "pace")})
        return super().get_context_data(
            title=gettext("领导驾驶舱"), today=today, now=timezone.localtime(), refresh=REFRESH_SECONDS,
            economy=economy, pipeline=pipeline, appeals=figures.appeals(user, today),
            loop=figures.enclave_loop(user), charts=charts, **kwargs)
