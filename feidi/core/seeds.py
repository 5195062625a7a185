"""The editable code lists every installation starts with. ``ensure_dictionaries`` runs after every
``migrate`` (and test flush): it adds missing lists and items, never changes what users edited."""

from __future__ import annotations

SEED = {
    ("zone_kind", "园区/飞地类型"): [
        ("national_etdz", "国家级经开区", {}),
        ("national_hitech", "国家级高新区", {}),
        ("provincial_zone", "省级开发区", {}),
        ("tech_enclave", "科创飞地", {"enclave": True}),
        ("industrial_enclave", "产业飞地", {"enclave": True}),
        ("talent_enclave", "人才飞地", {"enclave": True}),
        ("liaison_station", "联络站", {"enclave": True}),
        ("offshore_incubator", "离岸孵化器", {"enclave": True}),
        ("enterprise_rd_enclave", "飞地研发机构", {"enclave": True}),
    ],
    ("appeal_category", "企业诉求类别（附加属性 limit_days：办理时限，工作日）"): [
        ("land", "用地", {"limit_days": 10}),
        ("labor", "用工", {"limit_days": 5}),
        ("finance", "融资", {"limit_days": 10}),
        ("approval", "审批", {"limit_days": 5}),
        ("utilities", "水电气", {"limit_days": 3}),
        ("policy", "政策兑现", {"limit_days": 10}),
        ("logistics", "物流", {"limit_days": 5}),
        ("other", "其他", {"limit_days": 5}),
    ],
    ("tech_field", "技术领域"): [
        ("photovoltaic", "光伏新能源", {}),
        ("battery", "锂电与储能", {}),
        ("nev", "新能源汽车", {}),
        ("optics", "光学与光电", {}),
        ("electronics", "电子信息", {}),
        ("biomedicine", "生物医药", {}),
        ("low_altitude", "低空经济", {}),
        ("materials", "新材料与有色金属", {}),
        ("digital", "数字经济与软件", {}),
        ("equipment", "高端装备与智能制造", {}),
        ("green", "节能环保", {}),
        ("agriculture", "现代农业与食品", {}),
    ],
    ("org_label", "单位标签"): [
        ("above_scale", "规上", {}),
        ("high_tech", "高新技术企业", {}),
        ("specialized", "专精特新", {}),
        ("little_giant", "小巨人", {}),
        ("listed", "上市", {}),
        ("tech_sme", "科技型中小企业", {}),
        ("strategic_emerging", "战略性新兴产业", {}),
    ],
    ("talent_tier", "人才层次"): [
        ("academician", "院士", {}),
        ("national", "国家级人才", {}),
        ("provincial", "省部级人才", {}),
        ("city", "市级高层次人才", {}),
        ("shortage", "急需紧缺人才", {}),
    ],
    ("service_outcome", "服务成效（诉求办结时选择）"): [
        ("land", "解决用地", {}),
        ("finance", "解决融资", {}),
        ("labor", "解决用工", {}),
        ("approval", "加快审批", {}),
        ("utilities", "保障水电气", {}),
        ("order", "留住订单", {}),
        ("policy", "兑现政策", {}),
        ("logistics", "畅通物流", {}),
        ("other", "其他", {}),
    ],
    # filled by each zone: its signing events and 联动开工 batches, its challenge batches
    ("project_programme", "项目活动/批次（签约活动、联动开工等；附加属性 date：日期）"): [],
    ("challenge_batch", "揭榜挂帅批次"): [],
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
    from .models import DictItem, DictType

    seed = {**SEED, ("industry", "行业大类（GB/T 4754-2017）"): _industry_items()}
    for (code, name), items in seed.items():
        dtype, _ = DictType.objects.get_or_create(code=code, defaults={"name": name})
        existing = set(dtype.items.values_list("code", flat=True))
        DictItem.objects.bulk_create([
            DictItem(type=dtype, code=item_code, label=label, order=order, extra=extra)
            for order, (item_code, label, extra) in enumerate(items, start=1) if item_code not in existing
        ])
