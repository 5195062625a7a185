"""Demo technology market (双向飞地科技大市场). Everything here is invented and marked sample (示例).

- About two dozen technology demands (技术需求) of the demo city's enterprises across its seven
  chains — 晶科能源's perovskite/TOPCon tandem cells (the direction the seed article reports), 亥博's
  photovoltaic tape, 翼空's drones, 金丰药业's controlled-release tablets and the synthetic
  enterprises of each chain segment — mostly published, a few drafts and one closed.
- About thirty achievements and capabilities (科技成果) of the partner-region universities and
  institutes the demo city already holds (上海、松江、杭州、南京、苏州、宁波), plus one research
  institute in 临港 created here, with valid CN patent numbers (synthetic), maturity, transfer mode
  and asking price. The achievements are invented; the institutions' names are real.
- A dozen talents introduced through the enclaves, from the demo city's talent people.
- The two-way push is run once for what was published, and the demo users ent_jinko and
  inst_sjtu give a little feedback, so the inbox and the overview have something to show.

``load()`` is idempotent: demands and supplies are looked up by (organization, title), talents by
person, the 临港 institute by its credit code; pushes are only computed for newly published rows.
Everything goes through the market's actions, so the audit trail records the load.
"""

from __future__ import annotations

import datetime as dt
import random
import re
import tomllib
from collections import Counter
from decimal import Decimal
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from feidi.accounts.models import Department
from feidi.accounts.models import User
from feidi.chains.models import Chain
from feidi.chains.models import Segment
from feidi.core.context import acting
from feidi.core.models import DictItem
from feidi.lib import patent
from feidi.lib import uscc
from feidi.registry.models import Organization
from feidi.registry.models import Person
from feidi.registry.models import Zone

from . import build
from .city import DEPT_ETDZ
from .city import DEPT_TECH
from .city import ENCLAVE_G60_A
from .city import ORG_JINKO
from .city import ZONE_ETDZ
from .city import ZONE_GAOTIE

LINGANG_INSTITUTE = "上海临港东岸新型储能研究院"
LINGANG_USCC = uscc.make("12310115MB2L0D5N0")

# chain → technology field (the ``tech_field`` dictionary)
CHAIN_FIELD = {"光伏": "photovoltaic", "锂电新能源": "battery", "新能源汽车": "nev", "光学": "optics",
               "电子信息": "electronics", "生物医药": "biomedicine", "低空经济": "low_altitude",
               "生产性服务业": "digital"}

# The demands and supplies, one table each with named fields (what each field means heads the file).
DATA = tomllib.loads((Path(__file__).parent / "data" / "techmarket.toml").read_text(encoding="utf-8"))

TALENT_HOW = ("enclave", "flexible", "station", "project", "full_time")
DEGREES = ("博士研究生", "博士研究生", "硕士研究生", "博士研究生")


def _enterprise(selector: str) -> Organization | None:
    """A real enterprise by name, or the first synthetic enterprise of "链·环节" (``@高铁``: in the 高铁 zone)."""
    if "·" not in selector and "@" not in selector:
        return Organization.objects.filter(name=selector).first()
    zones = [ZONE_GAOTIE] if selector.endswith("@高铁") else [ZONE_ETDZ, ENCLAVE_G60_A]
    key = selector.split("@")[0]
    chain, _, segment = key.partition("·")
    qs = Organization.objects.filter(kind=Organization.Kind.ENTERPRISE, zone__name__in=zones).order_by("uscc")
    return (qs.filter(description__startswith=f"{chain}产业链·{segment}").first() if segment else None) or \
        qs.filter(description__startswith=f"{chain}产业链").first()


def _lingang_institute(created: Counter) -> Organization:
    return build.organization.ensure(
        created, name=LINGANG_INSTITUTE, uscc=LINGANG_USCC, kind=Organization.Kind.INSTITUTE, industry_code="M7320",
        region="上海市浦东新区（临港新片区）", department=Department.objects.filter(name=DEPT_TECH).first(),
        description="临港新片区的新型研发机构（示例），从事储能材料与电池技术研发。")


class _Loader:
    def __init__(self):
        self.created: Counter[str] = Counter()
        self.rng = random.Random(2025_05)
        self.fields = {i.code: i for i in DictItem.objects.filter(type__code="tech_field")}
        etdz = Department.objects.filter(name=DEPT_ETDZ).first()
        self.segments = {(s.chain.name, s.name): s for s in Segment.objects.filter(
            chain__in=Chain.objects.filter(department=etdz)).select_related("chain")}
        self.tech = User.objects.filter(username="tech").first()
        self.published: dict[str, list[int]] = {"demand": [], "supply": []}

    def _patents(self, n: int) -> str:
        numbers = []
        for _ in range(n):
            year, kind = self.rng.choice((2019, 2020, 2021, 2022, 2023, 2024)), self.rng.choice("1112")
            numbers.append(patent.make(f"{year}{kind}{self.rng.randrange(10**7):07d}"))
        return "\n".join(numbers)

    def _publish(self, kind: str, record, status: str, publish, close) -> None:
        """Published and closed rows are published (and pushed below); closed ones are closed after."""
        if status in ("published", "closed"):
            record = publish(record, acting_user=None)
            self.published[kind].append(record.pk)
        if status == "closed":
            close(record, acting_user=None)

    def demands(self) -> None:
        from feidi.techmarket.actions import do_close_demand
        from feidi.techmarket.actions import do_publish_demand

        today = timezone.localdate()
        for row in DATA["demands"]:
            org = _enterprise(row["enterprise"])
            if org is None or build.demand.find(organization=org, title=row["title"]):
                continue
            demand = build.demand.make(
                self.created, organization=org, title=row["title"], description=row["description"],
                keywords=row["keywords"], field=self.fields[row["field"]], kind=row["kind"],
                segment=self.segments.get((row["chain"], row["segment"])), budget=Decimal(row["budget"] * 10_000),
                deadline=today + dt.timedelta(days=row["deadline_days"]), created_by=self.tech)
            self._publish("demand", demand, row["status"], do_publish_demand, do_close_demand)

    def supplies(self) -> None:
        from feidi.techmarket.actions import do_close_supply
        from feidi.techmarket.actions import do_publish_supply

        lingang = _lingang_institute(self.created)
        for row in DATA["supplies"]:
            who, price = row["institution"], row["asking_price"]
            org = lingang if who == LINGANG_INSTITUTE else Organization.objects.filter(name=who).first()
            patents = self._patents(row["patents"])  # drawn for every row, so the numbers never shift
            if org is None or build.supply.find(organization=org, title=row["title"]):
                continue
            supply = build.supply.make(
                self.created, organization=org, title=row["title"], description=row["description"],
                keywords=row["keywords"], field=self.fields[row["field"]], patents=patents,
                segment=self.segments.get((row["chain"], row["segment"])), maturity=row["maturity"],
                transfer_mode=row["transfer_mode"], asking_price=Decimal(price * 10_000) if price else None,
                created_by=self.tech, department=Department.objects.filter(name=DEPT_TECH).first())
            self._publish("supply", supply, row["status"], do_publish_supply, do_close_supply)

    def talents(self) -> None:
        zones = {z.name: z for z in Zone.objects.all()}
        have = build.talent.existing()
        people = (Person.objects.filter(kind=Person.Kind.TALENT, sample=True, organization__isnull=False)
                  .select_related("organization").order_by("name")[:12])
        for i, person in enumerate(people):
            m = re.match(r"(\d{4})年经(.+)引进", person.note or "")
            chain = (person.organization.description or "").split("产业链")[0]
            year = int(m.group(1)) if m else 2024
            build.talent.ensure(
                self.created, have=have, acting_user=self.tech, person=person,
                field=self.fields[CHAIN_FIELD.get(chain, "digital")], title=person.title,
                degree=DEGREES[i % len(DEGREES)], employer=person.organization,
                enclave=zones.get(m.group(2)) if m else None, how=TALENT_HOW[i % len(TALENT_HOW)],
                introduced_on=dt.date(year, 1 + i % 12, 1 + (i * 7) % 28), note=f"{person.field}方向，经飞地引进（示例）")

    def push(self) -> None:
        """Run the two-way push now for what was published (the job queue may not be running)."""
        from feidi.techmarket import push
        from feidi.techmarket.models import Push

        before = Push.objects.count()
        for kind in ("demand", "supply"):
            if self.published[kind]:
                push.run_push_many(kind, self.published[kind])
        self.created["匹配推送"] += Push.objects.count() - before
        if not self.published["demand"]:
            return
        # The demo enterprise and institution users answer a few of their pushes.
        for username in ("ent_jinko", "inst_sjtu"):
            user = User.objects.filter(username=username).select_related("organization").first()
            if user is None or not user.organization_id:
                continue
            mine = (Push.objects.filter(demand__organization_id=user.organization_id, demand_feedback="")
                    if username == "ent_jinko" else
                    Push.objects.filter(supply__organization_id=user.organization_id, supply_feedback=""))
            for i, p in enumerate(mine.order_by("rank", "pk")[:3]):
                push.do_mark_push(p, interested=i != 2, acting_user=user)


def load() -> dict:
    """Load the demo technology market (idempotent); needs the demo city (and its chains) first."""
    if not Organization.objects.filter(name=ORG_JINKO).exists() or not DictItem.objects.filter(
            type__code="tech_field").exists():
        return {}
    with acting("cli"), transaction.atomic():
        loader = _Loader()
        loader.demands()
        loader.supplies()
        loader.talents()
        loader.push()
    return {k: v for k, v in loader.created.items() if v}
