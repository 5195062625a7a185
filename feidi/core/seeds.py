"""The editable code lists every installation starts with. ``ensure_dictionaries`` runs after every
``migrate`` (and test flush): it adds missing lists and items, never changes what users edited."""

from __future__ import annotations

from django.utils.translation import gettext_noop

SEED = {
    ("zone_kind", gettext_noop("园区/飞地类型")): [
        ("national_etdz", gettext_noop("国家级经开区"), {}),
        ("national_hitech", gettext_noop("国家级高新区"), {}),
        ("provincial_zone", gettext_noop("省级开发区"), {}),
        ("tech_enclave", gettext_noop("科创飞地"), {"enclave": True}),
        ("industrial_enclave", gettext_noop("产业飞地"), {"enclave": True}),
        ("talent_enclave", gettext_noop("人才飞地"), {"enclave": True}),
        ("liaison_station", gettext_noop("联络站"), {"enclave": True}),
        ("offshore_incubator", gettext_noop("离岸孵化器"), {"enclave": True}),
        ("enterprise_rd_enclave", gettext_noop("飞地研发机构"), {"enclave": True}),
    ],
    ("appeal_category", gettext_noop("企业诉求类别（附加属性 limit_days：办理时限，工作日）")): [
        ("land", gettext_noop("用地"), {"limit_days": 10}),
        ("labor", gettext_noop("用工"), {"limit_days": 5}),
        ("finance", gettext_noop("融资"), {"limit_days": 10}),
        ("approval", gettext_noop("审批"), {"limit_days": 5}),
        ("utilities", gettext_noop("水电气"), {"limit_days": 3}),
        ("policy", gettext_noop("政策兑现"), {"limit_days": 10}),
        ("logistics", gettext_noop("物流"), {"limit_days": 5}),
        ("other", gettext_noop("其他"), {"limit_days": 5}),
    ],
    ("tech_field", gettext_noop("技术领域")): [
        ("photovoltaic", gettext_noop("光伏新能源"), {}),
        ("battery", gettext_noop("锂电与储能"), {}),
        ("nev", gettext_noop("新能源汽车"), {}),
        ("optics", gettext_noop("光学与光电"), {}),
        ("electronics", gettext_noop("电子信息"), {}),
        ("biomedicine", gettext_noop("生物医药"), {}),
        ("low_altitude", gettext_noop("低空经济"), {}),
        ("materials", gettext_noop("新材料与有色金属"), {}),
        ("digital", gettext_noop("数字经济与软件"), {}),
        ("equipment", gettext_noop("高端装备与智能制造"), {}),
        ("green", gettext_noop("节能环保"), {}),
        ("agriculture", gettext_noop("现代农业与食品"), {}),
    ],
    ("org_label", gettext_noop("单位标签")): [
        ("above_scale", gettext_noop("规上"), {}),
        ("high_tech", gettext_noop("高新技术企业"), {}),
        ("specialized", gettext_noop("专精特新"), {}),
        ("little_giant", gettext_noop("小巨人"), {}),
        ("listed", gettext_noop("上市"), {}),
        ("tech_sme", gettext_noop("科技型中小企业"), {}),
        ("strategic_emerging", gettext_noop("战略性新兴产业"), {}),
    ],
    ("talent_tier", gettext_noop("人才层次")): [
        ("academician", gettext_noop("院士"), {}),
        ("national", gettext_noop("国家级人才"), {}),
        ("provincial", gettext_noop("省部级人才"), {}),
        ("city", gettext_noop("市级高层次人才"), {}),
        ("shortage", gettext_noop("急需紧缺人才"), {}),
    ],
    ("service_outcome", gettext_noop("服务成效（诉求办结时选择）")): [
        ("land", gettext_noop("解决用地"), {}),
        ("finance", gettext_noop("解决融资"), {}),
        ("labor", gettext_noop("解决用工"), {}),
        ("approval", gettext_noop("加快审批"), {}),
        ("utilities", gettext_noop("保障水电气"), {}),
        ("order", gettext_noop("留住订单"), {}),
        ("policy", gettext_noop("兑现政策"), {}),
        ("logistics", gettext_noop("畅通物流"), {}),
        ("other", gettext_noop("其他"), {}),
    ],
    # filled by each zone: its signing events and 联动开工 batches, its challenge batches
    ("project_programme", gettext_noop("项目活动/批次（签约活动、联动开工等；附加属性 date：日期）")): [],
    ("challenge_batch", gettext_noop("揭榜挂帅批次")): [],
}


def _industry_items():
    from feidi.lib import gbt4754

    section_of = {d: letter for letter, (_, divisions) in gbt4754.SECTIONS.items() for d in divisions}
    return [(f"{d:02d}", label, {"section": section_of[d]}) for d, label in sorted(gbt4754.DIVISIONS.items())]


# Other apps' starting data (e.g. default stage gates), run after the dictionaries and the
# standard roles on every migrate; each must add only what is missing.
SEEDERS: list[tuple] = []


def register_seeder(fn, *needs: str) -> None:
    """``needs``: the models (``app.Model``) whose tables must exist, so a partial ``migrate``
    (one app and its dependencies) skips the seeders of apps not migrated yet."""
    if all(entry[0] is not fn for entry in SEEDERS):
        SEEDERS.append((fn, needs))


def run_seeders() -> None:
    from django.apps import apps
    from django.db import connection

    tables = set(connection.introspection.table_names())
    for fn, needs in SEEDERS:
        if all(apps.get_model(label)._meta.db_table in tables for label in needs):
            fn()


def ensure_dictionaries() -> None:
    from .models import DictItem
    from .models import DictType

    seed = {**SEED, ("industry", gettext_noop("行业大类（GB/T 4754-2017）")): _industry_items()}
    for (code, name), items in seed.items():
        dtype, _ = DictType.objects.get_or_create(code=code, defaults={"name": name})
        existing = set(dtype.items.values_list("code", flat=True))
        DictItem.objects.bulk_create([
            DictItem(type=dtype, code=item_code, label=label, order=order, extra=extra)
            for order, (item_code, label, extra) in enumerate(items, start=1) if item_code not in existing
        ])
