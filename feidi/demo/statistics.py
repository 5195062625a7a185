"""The demo's 统计查询: the classifications the seeds' sentences use (a 联动开工 batch, a signing event,
首批揭榜挂帅, talent tiers, service outcomes) put on the demo's records, and the zone leader's saved
questions — one per kind of sentence in shared/seeds — two of them written into the reports.

The figures are the demo's own (a small city), the sentences have the seeds' shape:
"2026年春节后联动开工项目4个，总投资…", "科技型中小企业从…家增至…家", "办结企业诉求…件"."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

from feidi.accounts.models import User
from feidi.auctions.models import Auction
from feidi.challenges.models import Challenge
from feidi.core.models import DictItem
from feidi.core.models import DictType
from feidi.core.models import SavedQuery
from feidi.projects.models import Project
from feidi.projects.models import Stage
from feidi.registry.models import Residency
from feidi.registry.models import Zone
from feidi.services.models import Appeal
from feidi.techmarket.models import Talent

from .city import ENCLAVE_G60_CENTER
from .city import ZONE_ETDZ
from .city import ZONE_GAOTIE

SPRING_START = ("spring_start_2026", "2026年春节后联动", {"date": "2026-02-24"})
SHENZHEN_FAIR = ("shenzhen_fair_2026", "深圳对口合作招商推介会", {"date": "2026-03-01"})
FIRST_BATCH = ("first", "首批", {})
TIERS = ["academician", "national", "national", "provincial", "provincial", "provincial", "city", "city", "city",
         "shortage", "shortage", "shortage"]
OUTCOMES = ["land", "order", "finance", "labor"]
# illustrative areas (km², 示例) so that 地均 — output per km² of land — shows on the analysis page
AREAS = {ZONE_ETDZ: Decimal("130.00"), ZONE_GAOTIE: Decimal("58.00")}


def _item(type_code: str, spec: tuple) -> DictItem:
    code, label, extra = spec
    dtype = DictType.objects.get(code=type_code)
    return DictItem.objects.get_or_create(type=dtype, code=code, defaults={"label": label, "extra": extra})[0]


def questions() -> list[tuple[str, str, bool, str]]:
    """(name, parameters, written into the reports, whose): each the shape of a sentence in the
    seeds, kept by the user who sees its records (the zone leader; the technology bureau for the
    city's talents, challenges and auctions)."""
    center = Zone.objects.filter(name=ENCLAVE_G60_CENTER).values_list("pk", flat=True).first()
    auction = Auction.objects.filter(title__contains="第六届").values_list("pk", flat=True).first()
    out = [
        ("今年引进项目与签约资金，其中近3个月（“1至10月引进项目62个，签约资金322亿元，其中近3个月36个”）",
         "subject=projects&measure=count&measure=sum:signed_amount&date=signed_on&window=ytd&within=last3", True),
        ("春节后联动开工（“43个项目联动开工，总投资233.33亿元”）",
         "subject=projects&measure=count&measure=sum:planned_investment&date=started_on&window=all&f.programme="
         + _item("project_programme", SPRING_START).code, False),
        ("推介会签约（“签约项目23个，总投资158.2亿元”）",
         "subject=projects&measure=count&measure=sum:planned_investment&date=signed_on&window=all&f.programme="
         + _item("project_programme", SHENZHEN_FAIR).code, False),
        ("重点推进项目（“重点推进项目210个，总投资963.71亿元”）",
         "subject=projects&measure=count&measure=sum:planned_investment&date=any&f.key=true", True),
        ("科技型中小企业的增长（“从1711家增至2412家，增长41%”）",
         "subject=organizations&f.label=tech_sme&window=range&start=2025-01-01&end=2026-06-30&compare=change", False),
        ("各产业链企业数（“大余县推动18家锂电新能源企业集聚”）", "subject=organizations&window=all&by=chain", False),
        ("累计解决企业诉求（“已受理并解决企业诉求180余件”）",
         "subject=appeals&measure=closed&measure=compression&date=submitted_at&window=all&approx=1", False),
        ("累计引进人才，按层次（“累计引进1000余名高端人才”“院士7人，国家级人才11人”）",
         "subject=talents&window=all&by=tier&approx=1", False, "tech"),
        ("首批揭榜挂帅项目（“首批已推出9个揭榜挂帅项目”）",
         "subject=challenges&measure=count&measure=sum:bounty&window=all&f.batch="
         + _item("challenge_batch", FIRST_BATCH).code, False, "tech"),
        ("联合攻关项目（“实施联合攻关项目20个”）", "subject=joint_projects&measure=count&measure=sum:budget&window=all", False,
         "tech"),
    ]
    if center:
        out.append(("创新协同中心入驻（“已确定入驻8家企业，在谈企业10余家”）",
                    f"subject=residencies&date=any&f.enclave={center}&by=status&approx=1", False))
    if auction:
        out.append(("科技成果拍卖会（“6项专利技术参与拍卖，成交额约为2000万元”）",
                    f"subject=lots&measure=count&measure=turnover&date=any&f.auction={auction}", False, "tech"))
    return [q if len(q) == 4 else (*q, "leader") for q in out]


def _join(projects, programme, created: Counter) -> None:
    """Put the projects into the 活动/批次 (once: a second run finds them there)."""
    for project in projects:
        if not project.programmes.filter(pk=programme.pk).exists():
            project.programmes.add(programme)
            created["活动/批次项目"] += 1


def load() -> dict:
    created = Counter()
    spring, fair = _item("project_programme", SPRING_START), _item("project_programme", SHENZHEN_FAIR)
    started = Project.objects.filter(stage__in=[Stage.STARTED, Stage.PRODUCING, Stage.FULL], sample=True,
                                     started_on__year=2026).order_by("started_on", "pk")
    _join(started[:4], spring, created)
    signed = Project.objects.filter(signed_on__isnull=False, sample=True).exclude(
        pk__in=[p.pk for p in started[:4]]).order_by("-signed_on", "pk")
    _join(signed[:3], fair, created)
    batch = _item("challenge_batch", FIRST_BATCH)
    first = list(Challenge.objects.filter(batch__isnull=True).exclude(status=Challenge.Status.DRAFT)
                 .order_by("published_at", "pk").values_list("pk", flat=True)[:9])
    created["揭榜挂帅批次"] += Challenge.objects.filter(pk__in=first).update(batch=batch)
    tiers = {i.code: i for i in DictItem.objects.filter(type__code="talent_tier")}
    for i, talent in enumerate(Talent.objects.filter(tier__isnull=True, sample=True).order_by("pk")):
        talent.tier = tiers[TIERS[i % len(TIERS)]]
        talent.save(update_fields=["tier"])
        created["人才层次"] += 1
    outcomes = {i.code: i for i in DictItem.objects.filter(type__code="service_outcome")}
    closed = Appeal.objects.filter(outcome__isnull=True, status__in=[Appeal.Status.CLOSED, Appeal.Status.RATED])
    for i, appeal in enumerate(closed.order_by("pk")):
        Appeal.objects.filter(pk=appeal.pk).update(outcome=outcomes[OUTCOMES[i % len(OUTCOMES)]])
        created["服务成效"] += 1
    for name, area in AREAS.items():
        created["园区面积"] += Zone.objects.filter(name=name, area_km2__isnull=True).update(area_km2=area)
    if Residency.objects.exists():
        users = User.objects.in_bulk(["leader", "tech"], field_name="username")
        have = set(SavedQuery.objects.values_list("user__username", "name"))
        for order, (name, params, in_reports, username) in enumerate(questions(), start=1):
            user = users.get(username)
            if user is not None and (username, name) not in have:
                SavedQuery.objects.create(user=user, department=user.department, name=name, params=params,
                                          in_reports=in_reports, order=order)
                created["保存的统计查询"] += 1
    return dict(created)

