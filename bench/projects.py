"""Issue 3 benchmark: the investment pipeline, key projects and chain maps with 50,000 projects.

Builds on PostgreSQL (database ``feidi_bench_projects``) three zones, each with its administration,
招商局 and 项目办 and its own seven chains (光伏 … 低空经济: 5 upstream → downstream segments each, 6
for 光伏, with children), ~5,000 organizations, segment members (a few thousand on 甲园区's 光伏
chain), targets, 50,000 projects across every stage over the last three years and 300 key projects
with this year's plan, 12–24 months of completed investment, milestones, problems, open alerts and
weekly dispatches. Then measures server time in-process (Django's handler, no network), p50/p95 and
the ratio to a bare Django view, as a zone investment officer (甲园区招商局) and as a city leader:
  - the pipeline list filtered by stage and chain, sorted by signed amount — target p95 ≤ 150 ms,
  - the pipeline list with a keyword search (ranked by relevance, and sorted by name beside it),
    and unfiltered at page 40 — target p95 ≤ 150 ms,
  - the key-project list and the pipeline dashboard,
  - the chain map's data for 甲园区's 光伏 chain — target p95 ≤ 200 ms,
and the biweekly special report for 甲园区 (``feidi.projects.reports.generate_biweekly``) — target ≤ 3 s.

    .venv/bin/python bench/projects.py [--projects 50000] [--key 300] [--requests 60] [--reports 3]
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import os
import random
import statistics
import sys
import time
import unicodedata
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from foundation import ensure_database  # noqa: E402
from foundation import measure  # noqa: E402
from foundation import p95  # noqa: E402
from foundation import setup_django  # noqa: E402

ZONES = [("甲园区", 0.5, "361102"), ("乙园区", 0.3, "361121"), ("丙园区", 0.2, "361181")]
# chain: (industry code, weight among projects, members per zone (甲, 乙, 丙), top segments with children, names)
CHAINS = {
    "光伏": ("C3825", 25, (3000, 300, 150), [
        ("多晶硅", ["工业硅"]), ("硅片", ["单晶拉棒", "切片"]), ("电池片", ["TOPCon电池", "HJT电池", "BC电池"]),
        ("辅材", ["光伏玻璃", "银浆", "EVA胶膜", "边框"]), ("组件", []), ("系统应用", ["逆变器", "支架", "电站运营"])],
        ["年产{n}GW高效光伏组件项目", "{n}GW N型TOPCon电池片项目", "光伏玻璃深加工项目", "{n}万吨工业硅项目",
         "分布式光伏电站项目", "光伏逆变器生产基地项目", "大尺寸硅片切片项目", "光伏组件边框项目"]),
    "锂电新能源": ("C3841", 20, (500, 250, 120), [
        ("锂矿资源", ["锂云母提锂"]), ("正负极材料", ["正极材料", "负极材料"]), ("电解液与隔膜", ["电解液", "隔膜"]),
        ("电芯", []), ("电池系统", ["储能Pack", "动力Pack"])],
        ["年产{n}万吨锂电池正极材料项目", "{n}GWh动力电池项目", "储能电池Pack项目", "{n}万吨电解液项目",
         "锂电隔膜生产线项目", "锂云母综合利用项目"]),
    "新能源汽车": ("C3670", 15, (400, 300, 100), [
        ("原材料", ["轻量化铝材"]), ("零部件", ["汽车线束", "一体化压铸"]), ("三电系统", ["电驱动", "电控"]),
        ("整车制造", []), ("后市场", ["充电桩"])],
        ["新能源汽车零部件项目", "电驱动系统项目", "汽车线束项目", "一体化压铸项目", "充电桩制造项目",
         "年产{n}万辆新能源专用车项目"]),
    "光学": ("C4040", 10, (350, 100, 200), [
        ("光学材料", ["光学玻璃"]), ("光学元件", ["镜片", "棱镜"]), ("光学镜头", ["车载镜头", "手机镜头"]),
        ("光学模组", []), ("光电整机", ["红外热像"])],
        ["光学镜头模组项目", "精密光学元件项目", "光学膜材项目", "年产{n}万只车载镜头项目", "红外光学项目"]),
    "电子信息": ("C3976", 15, (450, 350, 150), [
        ("电子材料", ["覆铜板"]), ("元器件", ["PCB", "被动元件"]), ("半导体", ["封装测试"]),
        ("模组", ["显示模组"]), ("智能终端", [])],
        ["智能终端制造项目", "PCB电路板项目", "半导体封装测试项目", "显示模组项目", "电子元器件项目"]),
    "生物医药": ("C2710", 8, (250, 200, 80), [
        ("原料药", []), ("化学制剂", ["仿制药"]), ("生物制品", ["疫苗"]), ("中药", ["中药饮片"]),
        ("医疗器械", ["体外诊断"])],
        ["生物制药产业化项目", "医疗器械生产项目", "中药饮片项目", "{n}吨原料药项目", "体外诊断试剂项目"]),
    "低空经济": ("C3741", 7, (150, 80, 120), [
        ("材料与部件", ["复合材料"]), ("动力与飞控", ["电机电调", "飞控系统"]), ("整机制造", ["eVTOL"]),
        ("运营服务", ["通航运营"]), ("应用场景", ["低空物流"])],
        ["无人机整机制造项目", "eVTOL研发制造项目", "通航运营基地项目", "无人机飞控系统项目", "低空物流项目"]),
}
GENERIC = ["现代物流园项目", "总部经济项目", "智能制造产业园项目", "标准厂房建设项目", "食品加工项目", "纺织服装项目"]
BRANDS = ("晶盛 天合 隆盛 通远 赣锋 欣旺 舜光 联创 立讯 欧菲 博雅 仁和 亿纬 蔚蓝 翔宇 华硕 长鑫 中科 宏大 腾飞 远航 恒瑞 汇川 凯盛 "
          "正泰 阳光 鑫达 金晖 宇通 安泰 华夏 瑞丰 德赛 汉能 比克 国轩 星源 恩捷 天赐 新宙 凤凰 长江 海天 博创").split()
CITIES = ["深圳市", "上海市", "苏州市", "杭州市", "宁波市", "东莞市", "合肥市", "南京市", "厦门市", "广州市", "无锡市"]
SUFFIXES = ["科技有限公司", "新能源科技有限公司", "新材料股份有限公司", "电子有限公司", "智能装备有限公司", "集团有限公司"]
WORDS = "光伏 锂电 新能源 汽车 光学 电子 信息 生物 医药 低空 智能 材料 装备 科技 精密 数字 光电 储能".split()
STAGES = [("lead", 40), ("negotiating", 25), ("signed", 10), ("started", 8), ("producing", 6), ("full", 4),
          ("terminated", 7)]
FLOW = ["lead", "negotiating", "signed", "started", "producing", "full"]
CHANNELS = [("trip", 30), ("fair", 15), ("investor", 20), ("enclave", 5), ("referral", 15), ("news", 5), ("other", 10)]
MILESTONES = ["土地摘牌", "规划许可", "施工许可", "主体封顶", "设备进场", "竣工验收", "试生产"]
SEARCH = "光伏组件"


def pick(rng: random.Random, weighted):
    return rng.choices([w[0] for w in weighted], weights=[w[1] for w in weighted])[0]


def pad(text: str, width: int) -> str:
    """Left-justify counting CJK characters as two columns, so the table lines up in a terminal."""
    return text + " " * max(0, width - sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text))


def wan(value: float) -> Decimal:
    """Yuan rounded to 万元, as amounts are reported."""
    return Decimal(max(1, round(value / 10_000)) * 10_000)


@contextmanager
def own_timestamps(*fields):
    """bulk_create with the dates we give (created_at over three years, not all "now")."""
    saved = [(f, f.auto_now, f.auto_now_add) for f in fields]
    for f in fields:
        f.auto_now = f.auto_now_add = False
    try:
        yield
    finally:
        for f, now, add in saved:
            f.auto_now, f.auto_now_add = now, add


def recreate_database(url: str) -> None:
    import psycopg
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection

    connection.close()
    base, _, name = url.rpartition("/")
    with psycopg.connect(base + "/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    ContentType.objects.clear_cache()


def bench_users() -> dict:
    from feidi.accounts.models import User
    from feidi.chains.models import Chain

    users = {k: User.objects.get(username=f"bench_{k}") for k in ("invest", "pmo", "city")}
    chain = Chain.objects.get(name="光伏", department=users["invest"].department.parent)
    return {**users, "chain": chain, "department": chain.department}


def build(n_projects: int, n_key: int, url: str) -> dict:
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from feidi.accounts.models import Department
    from feidi.accounts.models import User
    from feidi.projects.models import Project

    call_command("migrate", verbosity=0)
    if (Project.objects.count() == n_projects and Project.objects.filter(is_key=True).count() == n_key
            and User.objects.filter(username__in=["bench_invest", "bench_pmo", "bench_city"]).count() == 3):
        # Fresh passwords, so the policy's forced change does not redirect the measured pages.
        User.objects.filter(username__startswith="bench_").update(password_changed_at=timezone.now())
        return bench_users()
    if Project.objects.exists() or Department.objects.exists():
        print("the database holds other row counts: recreating it …", flush=True)
        recreate_database(url)
        call_command("migrate", verbosity=0)
    start = time.perf_counter()
    load(n_projects, n_key)
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
    print(f"built in {time.perf_counter() - start:.1f} s", flush=True)
    return bench_users()


def load(n_projects: int, n_key: int) -> None:
    from django.utils import timezone

    from feidi.accounts import actions as acc
    from feidi.accounts.models import Department
    from feidi.accounts.models import Role
    from feidi.accounts.models import User
    from feidi.chains.models import Chain
    from feidi.chains.models import Segment
    from feidi.chains.models import SegmentMember
    from feidi.chains.models import Target
    from feidi.core.context import acting
    from feidi.core.models import DictItem
    from feidi.lib import uscc
    from feidi.projects.models import Alert
    from feidi.projects.models import AnnualPlan
    from feidi.projects.models import Dispatch
    from feidi.projects.models import Milestone
    from feidi.projects.models import MonthlyInvestment
    from feidi.projects.models import Problem
    from feidi.projects.models import Project
    from feidi.projects.models import StageRecord
    from feidi.projects.models import Task
    from feidi.registry.models import Organization
    from feidi.registry.models import Zone

    rng = random.Random(20250605)
    now = timezone.now()
    today = timezone.localdate()
    print(f"building {n_projects:,} projects ({n_key} key) …", flush=True)
    roles = {r.code: r for r in Role.objects.filter(code__in=["investment", "project_office", "zone_leader",
                                                             "city_leader"])}

    def user(username, full_name, role, department):
        u = User(username=username, full_name=full_name, department=department)
        return acc.do_create_user(u, password=None, roles=[roles[role]], acting_user=None) or u

    with acting("cli"):
        province = acc.do_save_department(Department(name="江西省", kind="province"), acting_user=None)
        city = acc.do_save_department(Department(name="上饶市", kind="city", parent=province), acting_user=None)
        city_bureaus = [acc.do_save_department(Department(name=n, kind="bureau", parent=city), acting_user=None)
                        for n in ("市自然资源局", "市生态环境局", "市发展改革委", "国网上饶供电公司")]
        user("bench_city", "市领导", "city_leader", city)
        kind = DictItem.objects.get(type__code="zone_kind", code="national_etdz")
        zones = []
        for zi, (zname, share, region) in enumerate(ZONES):
            dept = acc.do_save_department(Department(name=f"{zname}管委会", kind="zone", parent=city), acting_user=None)
            bureau = acc.do_save_department(Department(name="招商局", kind="bureau", parent=dept), acting_user=None)
            office = acc.do_save_department(Department(name="项目办", kind="bureau", parent=dept), acting_user=None)
            planning = acc.do_save_department(Department(name="规划建设局", kind="bureau", parent=dept),
                                              acting_user=None)
            zone = Zone.objects.create(name=zname, kind=kind, host_region="江西省上饶市", region_code=region,
                                       department=dept)
            tag = "abc"[zi]
            invest = [user("bench_invest" if zi == 0 and i == 0 else f"bench_{tag}_invest{i}", f"{zname}招商干部{i}",
                           "investment", bureau) for i in range(10)]
            pmo = [user("bench_pmo" if zi == 0 and i == 0 else f"bench_{tag}_pmo{i}", f"{zname}项目办{i}",
                        "project_office", office) for i in range(3)]
            leaders = [user(f"bench_{tag}_leader{i}", f"{zname}领导{i}", "zone_leader", dept) for i in range(3)]
            zones.append({"zone": zone, "dept": dept, "bureau": bureau, "share": share, "invest": invest,
                          "pmo": pmo, "leaders": leaders, "owners": [*invest, *pmo],
                          "problem_depts": [bureau, office, planning, *city_bureaus]})
        User.objects.filter(username__startswith="bench_").update(password_changed_at=now)

        # ~5,000 organizations: the zones' enterprises and, outside, investors and targets.
        orgs, seq = [], 0
        for z, count in zip(zones, (2200, 1300, 800), strict=True):
            for _ in range(count):
                seq += 1
                name = rng.choice(["上饶", "江西", "赣东", ""]) + "".join(rng.sample(WORDS, 2)) + rng.choice(SUFFIXES)
                orgs.append(Organization(
                    name=name, uscc=uscc.make(f"91361100{seq:08d}"), zone=z["zone"], department=z["dept"],
                    industry_code=rng.choice([c[0] for c in CHAINS.values()]), employees=rng.randint(10, 3000),
                    registered_capital=wan(math.exp(rng.gauss(math.log(3e7), 1.2))),
                    established_on=today - dt.timedelta(days=rng.randint(200, 7000))))
        for _ in range(700):
            seq += 1
            name = rng.choice(CITIES) + rng.choice(BRANDS) + rng.choice(SUFFIXES)
            orgs.append(Organization(name=name, uscc=uscc.make(f"91440300{seq:08d}"), region=name[:3],
                                     department=city, industry_code=rng.choice([c[0] for c in CHAINS.values()]),
                                     employees=rng.randint(200, 50000)))
        Organization.objects.bulk_create(orgs, batch_size=2000)
        outside = orgs[-700:]
        by_zone = {z["zone"].pk: [o for o in orgs if o.zone_id == z["zone"].pk] for z in zones}

        # Each zone's seven chains, their segments, members and targets.
        for zi, z in enumerate(zones):
            z["segments"] = {}
            for order, (cname, (_code, _, members, tops, _)) in enumerate(CHAINS.items()):
                chain = Chain.objects.create(name=cname, order=order, department=z["dept"], leader=z["leaders"][0],
                                             leader_title="管委会主任", weak_enterprises=3,
                                             weak_output=Decimal(500_000_000))
                segs = []
                for i, (top, children) in enumerate(tops):
                    parent = Segment.objects.create(chain=chain, name=top, order=i * 10, department=z["dept"])
                    segs.append(parent)
                    segs += Segment.objects.bulk_create([
                        Segment(chain=chain, parent=parent, name=c, order=i * 10 + j + 1, department=z["dept"])
                        for j, c in enumerate(children)])
                z["segments"][cname] = segs
                # A gap (no members) and a weak segment on every chain; top-level segments hold more.
                filled = segs[:-1]
                weights = [3 if s.parent_id is None else 1 for s in filled]
                share = rng.choices(filled, weights=weights, k=members[zi])
                counts = {s.pk: 0 for s in filled}
                for s in share:
                    counts[s.pk] += 1
                counts[filled[-1].pk] = 1
                rows = []
                for s in filled:
                    for o in rng.sample(by_zone[z["zone"].pk], min(counts[s.pk], len(by_zone[z["zone"].pk]))):
                        r = rng.random()
                        rows.append(SegmentMember(
                            segment=s, organization=o, department=z["dept"],
                            role="master" if r < 0.02 else "backbone" if r < 0.2 else "supporting",
                            declared_output=wan(math.exp(rng.gauss(math.log(8e7), 1.3))) if rng.random() < 0.8
                            else None))
                SegmentMember.objects.bulk_create(rows, batch_size=5000)
                Target.objects.bulk_create([
                    Target(segment=s, organization=o, department=z["dept"], reason=f"补齐{s.name}环节，具备配套能力",
                           priority=rng.choice(["high", "medium", "medium", "low"]),
                           status=pick(rng, [("new", 40), ("contacted", 30), ("lead", 15), ("dropped", 15)]))
                    for s in segs for o in rng.sample(outside, rng.randint(0, 8))])

        # 50,000 projects: stage, dates and amounts consistent with each other.
        chain_weights = [(name, spec[1]) for name, spec in CHAINS.items()]
        projects, steps_of = [], []
        zone_weights = [(i, z["share"]) for i, z in enumerate(zones)]
        for _ in range(n_projects):
            z = zones[pick(rng, zone_weights)]
            stage = pick(rng, STAGES)
            reached = FLOW.index(stage) if stage != "terminated" else pick(rng, [(0, 60), (1, 35), (2, 5)])
            min_age = 20 + 45 * reached
            age = min_age + (1095 - min_age) * (1 - math.sqrt(rng.random()))
            created = now - dt.timedelta(days=age, seconds=rng.randint(0, 86400))
            steps, t = [created], created
            for _ in range(reached + (stage == "terminated")):
                t = t + (now - t) * rng.uniform(0.15, 0.55)
                steps.append(t)
            steps_of.append(steps)
            stage_since = steps[-1]
            cname = pick(rng, chain_weights) if rng.random() < 0.88 else None
            segment = rng.choice(z["segments"][cname]) if cname else None
            template = rng.choice(CHAINS[cname][4] if cname else GENERIC)
            brand = rng.choice(BRANDS)
            name = brand + template.format(n=rng.choice([1, 2, 3, 5, 10, 20])) + rng.choice(
                ["", "", "", "（一期）", "（二期）"])
            planned = wan(math.exp(rng.gauss(math.log(2e8), 1.1))) if reached >= 1 or rng.random() < 0.6 else None
            signed = reached >= 2
            pooled = stage == "lead" and (now - stage_since).days > 45 and rng.random() < 0.35
            owner = None if pooled else rng.choice(z["owners"])
            if stage in ("full", "terminated"):
                last = stage_since + dt.timedelta(days=rng.uniform(0, 5))
            elif pooled:
                last = stage_since + dt.timedelta(days=rng.uniform(0, (now - stage_since).days - 31))
            else:
                last = max(stage_since, now - dt.timedelta(days=min(rng.expovariate(1 / 15), 200)))
            projects.append(Project(
                name=name, zone=z["zone"], department=z["dept"], investor=rng.choice(outside).name,
                organization=rng.choice(by_zone[z["zone"].pk]) if signed and rng.random() < 0.6 else None,
                stage=stage, stage_since=stage_since, industry_code=CHAINS[cname][0] if cname else "",
                segment=segment, channel=pick(rng, CHANNELS), introducer_department=z["bureau"],
                introducer=(owner or rng.choice(z["invest"])).full_name, owner=owner,
                leader=rng.choice(z["leaders"]) if signed and rng.random() < 0.3 else None,
                planned_investment=planned,
                signed_amount=wan(float(planned) * rng.uniform(0.6, 1.0)) if signed else None,
                fixed_asset_investment=wan(float(planned) * rng.uniform(0.5, 0.9)) if reached >= 3 else None,
                foreign_investment=wan(float(planned) * 0.2) if signed and rng.random() < 0.05 else None,
                signed_on=steps[2].date() if signed else None, started_on=steps[3].date() if reached >= 3 else None,
                produced_on=steps[4].date() if reached >= 4 else None,
                terminated_reason=rng.choice(["投资方战略调整", "资金未落实", "用地条件不满足", "被外地截流"])
                if stage == "terminated" else "",
                last_activity_at=last, pooled_at=last + dt.timedelta(days=30) if pooled else None,
                created_at=created, updated_at=last, created_by=owner))
        # Key projects: the larger signed-and-building ones, in each zone's share.
        building = [i for i, p in enumerate(projects) if p.stage in ("signed", "started", "producing")]
        key = rng.sample(building, min(n_key, len(building)))
        for i in key:
            p = projects[i]
            p.is_key = True
            p.key_level = pick(rng, [("province", 15), ("city", 35), ("district", 50)])
            p.planned_investment = wan(math.exp(rng.gauss(math.log(1.5e9), 0.8)))
            p.signed_amount = wan(float(p.planned_investment) * rng.uniform(0.8, 1.0))
            if p.fixed_asset_investment is not None:
                p.fixed_asset_investment = wan(float(p.planned_investment) * rng.uniform(0.6, 0.9))
            p.leader = p.leader or rng.choice(next(z for z in zones if z["dept"] is p.department)["leaders"])
            p.owner = p.owner or rng.choice(next(z for z in zones if z["dept"] is p.department)["owners"])
        fields = [Project._meta.get_field("created_at"), Project._meta.get_field("updated_at")]
        with own_timestamps(*fields):
            Project.objects.bulk_create(projects, batch_size=5000)
        records = []
        for p, steps in zip(projects, steps_of, strict=True):
            names = FLOW[:len(steps)] if p.stage != "terminated" else [*FLOW[:len(steps) - 1], "terminated"]
            for j, (stage, at) in enumerate(zip(names, steps, strict=True)):
                records.append(StageRecord(project=p, stage=stage, entered_at=at, entered_on=at.date(),
                                           left_at=steps[j + 1] if j + 1 < len(steps) else None, by=p.owner))
        StageRecord.objects.bulk_create(records, batch_size=10000)

        # Key projects' plans, monthly investment, milestones, problems, task forces, alerts.
        year = today.year
        this_month = today.replace(day=1)
        plans, monthly, milestones, problems, force = [], [], [], [], []
        through = Project.task_force.through
        for i in key:
            p = projects[i]
            z = next(z for z in zones if z["dept"] is p.department)
            year_plan = wan(float(p.planned_investment) * rng.uniform(0.2, 0.5))
            plans.append(AnnualPlan(project=p, year=year, planned_investment=year_plan, department=p.department))
            plans.append(AnnualPlan(project=p, year=year - 1, department=p.department,
                                    planned_investment=wan(float(p.planned_investment) * rng.uniform(0.2, 0.4))))
            month = this_month
            for _ in range(rng.randint(12, 24)):
                monthly.append(MonthlyInvestment(project=p, month=month, department=p.department,
                                                 amount=wan(float(year_plan) / 12 * rng.uniform(0.3, 1.6)),
                                                 note=rng.choice(["主体施工", "设备安装", "厂房建设", "场平", ""])))
                month = (month - dt.timedelta(days=1)).replace(day=1)
            start = p.signed_on or today
            for j, mname in enumerate(rng.sample(MILESTONES, rng.randint(3, 6))):
                planned_on = start + dt.timedelta(days=60 * (j + 1) + rng.randint(-20, 20))
                done = planned_on < today and rng.random() < 0.75
                milestones.append(Milestone(project=p, name=mname, planned_on=planned_on, department=p.department,
                                            actual_on=planned_on + dt.timedelta(days=rng.randint(-10, 15))
                                            if done else None))
            if rng.random() < 0.45:
                for _ in range(rng.randint(1, 3)):
                    open_ = rng.random() < 0.6
                    deadline = today + dt.timedelta(days=rng.randint(-45, 60))
                    problems.append(Problem(
                        project=p, kind=pick(rng, [("approval", 30), ("factor", 30), ("funding", 15),
                                                   ("construction", 15), ("other", 10)]),
                        description=rng.choice(["用电增容待审批", "环评批复未下达", "配套道路未建成", "融资未到位",
                                                "施工许可待办", "用工缺口较大"]),
                        owner_department=rng.choice(z["problem_depts"]), deadline=deadline,
                        needs_leadership=rng.random() < 0.25, status="open" if open_ else "solved",
                        solved_on=None if open_ else min(today, deadline), department=p.department,
                        resolution="" if open_ else "已协调解决"))
            for u in rng.sample(z["owners"], 3):
                force.append(through(project_id=p.pk, user_id=u.pk))
        AnnualPlan.objects.bulk_create(plans, batch_size=5000)
        MonthlyInvestment.objects.bulk_create(monthly, batch_size=5000)
        Milestone.objects.bulk_create(milestones, batch_size=5000)
        Problem.objects.bulk_create(problems, batch_size=5000)
        through.objects.bulk_create(force, batch_size=5000)
        alerts = []
        for m in milestones:
            if m.actual_on is None and m.planned_on < today:
                alerts.append(Alert(project=m.project, department=m.department, rule="milestone", subject=str(m.pk),
                                    message=f"节点“{m.name}”计划{m.planned_on:%Y-%m-%d}完成，已逾期",
                                    raised_at=now - dt.timedelta(days=(today - m.planned_on).days)))
        for pr in problems:
            if pr.status == "open" and pr.deadline < today:
                alerts.append(Alert(project=pr.project, department=pr.department, rule="problem", subject=str(pr.pk),
                                    message=f"问题“{pr.description}”已超过解决时限",
                                    raised_at=now - dt.timedelta(days=(today - pr.deadline).days)))
        for i in rng.sample(key, len(key) // 4):
            p = projects[i]
            alerts.append(Alert(project=p, department=p.department, rule="pace", subject=str(year),
                                message=f"{year}年累计完成投资低于进度", raised_at=now - dt.timedelta(days=3)))
        for i in rng.sample(key, len(key) // 2):  # earlier alerts since resolved
            p = projects[i]
            alerts.append(Alert(project=p, department=p.department, rule="pace", subject=str(year - 1),
                                message=f"{year - 1}年累计完成投资低于进度", raised_at=now - dt.timedelta(days=400),
                                resolved_at=now - dt.timedelta(days=300)))
        with own_timestamps(Alert._meta.get_field("raised_at")):
            Alert.objects.bulk_create(alerts, batch_size=5000)

        # Twelve weeks of dispatch meetings per zone, with their decisions.
        monday = today - dt.timedelta(days=today.weekday())
        for z in zones:
            zone_key = [projects[i] for i in key if projects[i].department is z["dept"]]
            for w in range(12, 0, -1):
                week = monday - dt.timedelta(weeks=w)
                d = Dispatch.objects.create(week_start=week, held_on=week + dt.timedelta(days=2), status="held",
                                            title=f"重点项目第{week.isocalendar()[1]}周调度会", department=z["dept"],
                                            chaired_by="管委会主任")
                tasks = []
                for p in rng.sample(zone_key, min(6, len(zone_key))):
                    deadline = week + dt.timedelta(days=rng.randint(7, 30))
                    done = deadline < today and rng.random() < 0.7
                    tasks.append(Task(dispatch=d, project=p, decision="协调解决" + rng.choice(["用地", "用电", "融资", "审批"]),
                                      owner_department=rng.choice(z["problem_depts"]), owner=rng.choice(z["owners"]),
                                      deadline=deadline, status="done" if done else "open",
                                      done_on=deadline if done else None, department=z["dept"]))
                Task.objects.bulk_create(tasks)
    counts = {m.__name__: m.objects.count() for m in (Organization, Segment, SegmentMember, Target, Project,
                                                     StageRecord, AnnualPlan, MonthlyInvestment, Milestone, Problem,
                                                     Alert, Task)}
    print("  ".join(f"{k} {v:,}" for k, v in counts.items()), flush=True)


def time_reports(data: dict, runs: int) -> None:
    try:
        from feidi.projects.reports import generate_biweekly
    except ImportError as exc:
        print(f"\nbiweekly report: feidi.projects.reports.generate_biweekly not available ({exc}); skipped")
        return
    from django.utils import timezone

    from feidi.core.context import acting

    times, report = [], None
    for _ in range(runs):
        with acting("ui"):
            t = time.perf_counter()
            report = generate_biweekly(data["department"], timezone.localdate(), acting_user=data["pmo"])
            times.append(time.perf_counter() - t)
    best, median = min(times), statistics.median(times)
    print(f"\nbiweekly report for {data['department']} ({runs} runs, last: {report}): min {best:.2f} s, "
          f"median {median:.2f} s (target ≤ 3 s: {'ok' if median <= 3 else 'SLOW'})")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--projects", type=int, default=50_000)
    parser.add_argument("--key", type=int, default=300)
    parser.add_argument("--requests", type=int, default=60)
    parser.add_argument("--reports", type=int, default=3)
    parser.add_argument("--database", default=os.environ.get(
        "FEIDI_BENCH_PROJECTS_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/feidi_bench_projects"))
    args, _ = parser.parse_known_args()  # `make bench` gives every script the same BENCH_ARGS
    ensure_database(args.database)
    setup_django(args.database)
    data = build(args.projects, args.key, args.database)

    from urllib.parse import quote

    from django.http import HttpResponse
    from django.test import Client
    from django.test import override_settings
    from django.urls import include
    from django.urls import path
    from django.urls import reverse

    import feidi.urls

    def bare(request):
        return HttpResponse("ok")

    bench_urls = type(sys)("bench_urls")
    bench_urls.urlpatterns = [path("__bare__/", bare), path("", include(feidi.urls))]
    sys.modules["bench_urls"] = bench_urls
    chain = data["chain"].pk
    with override_settings(ROOT_URLCONF="bench_urls", ALLOWED_HOSTS=["*"], STORAGES={
            "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}):
        pipeline = reverse("projects:project_list")
        cases = [
            ("bare Django view", "/__bare__/", None),
            ("pipeline (signed, chain, -signed_amount)", f"{pipeline}?stage=signed&chain={chain}&sort=-signed_amount",
             150),
            (f"pipeline (keyword search “{SEARCH}”)", f"{pipeline}?q={quote(SEARCH)}", 150),
            # the same search sorted by a column: the order of the rows before the relevance rank
            ("  the same, sorted by name (no rank)", f"{pipeline}?q={quote(SEARCH)}&sort=name", 150),
            ("pipeline (unfiltered, page 40)", f"{pipeline}?page=40", 150),
            ("key-project list", reverse("projects:key_list"), None),
            ("pipeline dashboard", reverse("projects:dashboard"), None),
            ("chain map data (甲园区 光伏)", reverse("chains:chain_map_data", kwargs={"pk": chain}), 200),
        ]
        print(f"\n{'case':<46}{'user':<22}{'p50 ms':>9}{'p95 ms':>9}{'× bare':>9}  target p95")
        for who, label in (("invest", "zone investment"), ("city", "city leader")):
            client = Client()
            client.force_login(data[who])
            base = None
            for case, url, target in cases:
                times = measure(client, url, args.requests)
                if base is None:
                    base = p95(times)
                verdict = "" if target is None else f"  ≤ {target}: {'ok' if p95(times) <= target else 'SLOW'}"
                print(f"{pad(case, 46)}{label:<22}{statistics.median(times):>9.1f}{p95(times):>9.1f}"
                      f"{p95(times) / base:>9.1f}{verdict}")
    time_reports(data, args.reports)


if __name__ == "__main__":
    main()
