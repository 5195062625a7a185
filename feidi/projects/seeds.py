"""Default stage gates (no department: they apply wherever a zone has not set its own)."""

from __future__ import annotations

from django.utils.translation import gettext_noop

DEFAULT_GATES = {
    "negotiating": ([], [], []),
    "signed": (["investor", "signed_amount", "planned_investment", "signed_on"], [gettext_noop("投资协议")],
               ["investment", "project_office", "zone_leader"]),
    "started": (["fixed_asset_investment", "started_on"], [gettext_noop("施工许可证")], ["investment",
                                                                                    "project_office"]),
    "producing": (["produced_on"], [gettext_noop("投产证明")], ["investment", "project_office"]),
    "full": ([], [gettext_noop("达产验收材料")], ["project_office"]),
    "terminated": ([], [], []),
}


def ensure_stage_gates() -> None:
    from feidi.accounts.models import Role

    from .models import StageGate

    have = set(StageGate.objects.filter(department__isnull=True).values_list("stage", flat=True))
    for stage, (fields, evidence, roles) in DEFAULT_GATES.items():
        if stage in have:
            continue
        gate = StageGate.objects.create(stage=stage, required_fields=fields, required_evidence=evidence)
        gate.roles.set(Role.objects.filter(code__in=roles))
