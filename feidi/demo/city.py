"""The deterministic demo city: 上饶 (Jiangxi), its development zones and its two-way enclaves.

Where the data come from
- Facts reported in the seed articles (江西日报 2024-07-11 “催开科技花 结出产业果” and 2025
  “‘双向飞地’让科创和产业双向奔赴”) are used as reported: the zones and enclaves, the companies
  and institutions they name, the partner regions of the cooperation agreements, the counts
  (8 firms confirmed and 10+ negotiating in the G60 innovation centre, 20+ settled and 8 confirmed
  in the G60 park, 19 talent liaison stations, 15 talent enclaves, 22 enterprise R&D enclaves).
- Everything invented is marked ``sample=True`` (shown with the 示例 badge): every person, the
  synthetic enterprises, figures such as land area and staff, label and agreement dates, the
  output/tax sharing percentages, residency dates. A real organization whose figures were invented
  is itself marked sample; its description says which parts are reported.
- **All unified social credit codes are synthetic** (valid GB 32100-2015 check characters and real
  region codes, never the organizations' real codes). Phone and ID-card numbers are synthetic too
  (valid GB 11643 check characters, region 3611xx); no real person's name is used.

Everything is drawn from ``random.Random(2025)`` in a fixed order, so two installations get the
same city. ``load()`` is idempotent: records are looked up by natural keys (department
(parent, name), zone name, credit code, username, residency (organization, enclave), agreement
title, …) and only missing ones are created, through the action functions, so the audit trail
records the load.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
from collections import Counter
from dataclasses import dataclass
from dataclasses import field
from decimal import Decimal

from django.db import transaction

from feidi.accounts.actions import do_save_department
from feidi.accounts.models import Department
from feidi.accounts.models import Role
from feidi.accounts.models import User
from feidi.core.context import acting
from feidi.core.models import DictItem
from feidi.lib import idcard
from feidi.lib import uscc
from feidi.registry.actions import do_save_zone
from feidi.registry.actions import do_transition_residency
from feidi.registry.models import Agreement
from feidi.registry.models import Commitment
from feidi.registry.models import Organization
from feidi.registry.models import OrganizationLabel
from feidi.registry.models import Person
from feidi.registry.models import Residency
from feidi.registry.models import Zone

from . import build
from . import words
from .logins import DEMO_PASSWORD
from .logins import DEMO_TOTP_SECRET
from .logins import DEMO_USERS

D = dt.date

# --- Names tests and other modules may rely on ---------------------------------------------------
DEPT_PROVINCE = "江西省"
DEPT_CITY = "上饶市"
DEPT_ETDZ = "上饶经开区管委会"
DEPT_GAOTIE = "上饶高铁经济试验区管委会"
DEPT_TECH = "上饶市科技局"
ETDZ_BUREAUS = ("招商局", "项目办", "安商办", "科技创新局", "经济发展局", "党政办")

ZONE_ETDZ = "上饶经开区"
ZONE_GAOTIE = "上饶高铁经济试验区"
ENCLAVE_TECH = "上饶科创(人才)中心"
ENCLAVE_TECH_SHARED = "上饶科创飞地共享区(临港)"
ENCLAVE_G60_CENTER = "长三角G60科创走廊(上饶)创新协同中心"
ENCLAVE_G60_PARK = "长三角G60科创走廊(上饶)科技合作产业园"
ENCLAVE_G60_A = ENCLAVE_G60_PARK + "A区"
ENCLAVE_G60_B = ENCLAVE_G60_PARK + "B区"
ENCLAVE_WORKSTATION = "上饶(上海)融合技术工作站"
ENCLAVE_INCUBATOR = "上饶大数据产业离岸孵化器"
ENCLAVE_JINKO_SH = "晶科能源上海研发飞地"
ENCLAVE_JINKO_HN = "晶科能源海宁研发飞地"

ORG_JINKO = "晶科能源股份有限公司"
ORG_SJTU = "上海交通大学"
ORG_XINGXIN = "上饶市兴新科创发展集团有限公司"
ORG_LINGANG = "上海临港联合发展有限公司"

SEED_2024 = "江西日报2024-07-11"
LATEST = D(2026, 10, 31)  # no demo event is dated later
SEED_2025 = "江西日报2025年“双向飞地”报道"


# --- The plan: pure data drawn from the seeded generator ------------------------------------------
@dataclass
class ZoneSpec:
    name: str
    short_name: str
    kind: str
    host_region: str
    region_code: str
    department: str
    description: str
    sample: bool = False
    parent: str | None = None
    home_zone: str | None = None
    operator: str | None = None  # organization key


@dataclass
class LabelSpec:
    code: str
    since: dt.date
    until: dt.date | None = None
    note: str = ""
    sample: bool = True


@dataclass
class OrgSpec:
    key: str
    name: str
    uscc: str
    kind: str = Organization.Kind.ENTERPRISE
    industry_code: str = ""
    zone: str | None = None
    department: str | None = None  # used when the organization is in no zone
    region: str = ""
    address: str = ""
    legal_representative: str = ""
    registered_capital: Decimal | None = None
    established_on: dt.date | None = None
    land_area_mu: Decimal | None = None
    employees: int | None = None
    description: str = ""
    sample: bool = True
    chain: str = ""
    labels: list[LabelSpec] = field(default_factory=list)


@dataclass
class PersonSpec:
    name: str
    kind: str
    title: str = ""
    organization: str | None = None  # organization key
    department: str | None = None
    phone: str = ""
    id_card: str = ""
    field: str = ""
    note: str = ""


@dataclass
class ResidencySpec:
    organization: str
    enclave: str
    steps: list[tuple[str, dt.date]]
    note: str = ""


@dataclass
class AgreementSpec:
    title: str
    party_a: str
    party_b: str
    signed_on: dt.date
    valid_until: dt.date | None
    summary: str
    department: str
    commitments: list[tuple[str, str, dt.date, str]]  # content, owner, due, status
    output_share_a: Decimal | None = None
    tax_share_a: Decimal | None = None


@dataclass
class UserSpec:
    username: str
    full_name: str
    role: str
    department: str | None = None
    organization: str | None = None
    totp: bool = False
    extra_roles: tuple[str, ...] = ()
    title: str = ""


@dataclass
class Plan:
    departments: list[tuple[str | None, str, str]]  # parent name, name, kind (names unique in the demo)
    zones: list[ZoneSpec]
    orgs: dict[str, OrgSpec]
    people: list[PersonSpec]
    residencies: list[ResidencySpec]
    agreements: list[AgreementSpec]
    users: list[UserSpec]


class _Gen:
    """Draws names, codes and numbers; remembers what it gave out so nothing repeats."""

    PHONE_PREFIXES = ("130", "131", "133", "135", "136", "137", "138", "139", "150", "151", "152", "155",
                      "158", "159", "166", "173", "177", "180", "182", "183", "185", "186", "187", "189", "199")
    ID_REGIONS = ("361102", "361103", "361104", "361123", "361124", "361125", "361126", "361127", "361128",
                  "361129", "361130", "361181")

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.person_names: set[str] = set()
        self.org_names: set[str] = set()
        self.codes: set[str] = set()
        self.phones: set[str] = set()
        self.ids: set[str] = set()

    def person(self) -> tuple[str, bool]:
        while True:
            male = self.rng.random() < 0.62
            chars = words.GIVEN_MALE if male else words.GIVEN_FEMALE
            name = self.rng.choice(words.SURNAMES) + self.rng.choice(chars) + self.rng.choice(chars)
            if name[1] != name[2] and name not in self.person_names:
                self.person_names.add(name)
                return name, male

    def phone(self) -> str:
        while True:
            value = self.rng.choice(self.PHONE_PREFIXES) + f"{self.rng.randrange(10**8):08d}"
            if value not in self.phones:
                self.phones.add(value)
                return value

    def id_card(self, male: bool) -> str:
        while True:
            birth = D(1965, 1, 1) + dt.timedelta(days=self.rng.randrange(365 * 33))
            seq = self.rng.randrange(0, 500) * 2 + (1 if male else 0)  # 17th digit: odd for men (GB 11643)
            first17 = f"{self.rng.choice(self.ID_REGIONS)}{birth:%Y%m%d}{seq:03d}"
            value = first17 + idcard.check_character(first17)
            if value not in self.ids:
                self.ids.add(value)
                return value

    def uscc(self, region: str, prefix: str = "91") -> str:
        """Synthetic credit code: registration authority/type, region code, an organization code."""
        while True:
            if prefix == "91":
                body = "MA" + "".join(self.rng.choice(uscc.ALPHABET) for _ in range(7))
            else:
                body = "".join(self.rng.choice("0123456789") for _ in range(9))
            value = uscc.make(f"{prefix}{region}{body}")
            if value not in self.codes:
                self.codes.add(value)
                return value

    def brand(self) -> str:
        while True:
            a, b = self.rng.sample(words.BRAND_CHARS, 2)
            if a + b not in words.RESERVED_BRANDS:
                return a + b

    def company(self, place: str, keyword: str, style: str) -> str:
        while True:
            brand = self.brand()
            suffix = "股份有限公司" if self.rng.random() < 0.12 else "有限公司"
            if style == "local":
                name = f"{self.rng.choice(('江西', '上饶', '上饶市'))}{brand}{keyword}{suffix}"
            elif style == "branch":  # an outside group's plant at home
                name = f"{brand}{keyword}(上饶){suffix}"
            else:
                name = f"{place}{brand}{keyword}{suffix}"
            if name not in self.org_names:
                self.org_names.add(name)
                return name

    def date(self, start: dt.date, end: dt.date) -> dt.date:
        return start + dt.timedelta(days=self.rng.randrange((end - start).days + 1))

    def contact(self, org_key: str) -> PersonSpec:
        name, male = self.person()
        return PersonSpec(name=name, kind=Person.Kind.CONTACT, title=self.rng.choice(words.CONTACT_TITLES),
                          organization=org_key, phone=self.phone(), id_card=self.id_card(male))


def _departments() -> list[tuple[str | None, str, str]]:
    K = Department.Kind
    rows = [(None, DEPT_PROVINCE, K.PROVINCE), (DEPT_PROVINCE, DEPT_CITY, K.CITY),
            (DEPT_CITY, DEPT_ETDZ, K.ZONE)]
    rows += [(DEPT_ETDZ, name, K.BUREAU) for name in ETDZ_BUREAUS]
    rows += [(DEPT_CITY, DEPT_GAOTIE, K.ZONE), (DEPT_GAOTIE, "综合办", K.BUREAU), (DEPT_CITY, DEPT_TECH, K.BUREAU)]
    return rows


def _zones() -> list[ZoneSpec]:
    return [
        ZoneSpec(ZONE_ETDZ, "经开区", "national_etdz", "江西省上饶市", "361100", DEPT_ETDZ,
                 "上饶经济技术开发区，国家级经济技术开发区。长三角G60科创走廊(上饶)科技合作产业园的承载主体，"
                 "晶科能源、耐普矿机等企业所在地。"),
        ZoneSpec(ZONE_GAOTIE, "高铁试验区", "provincial_zone", "江西省上饶市", "361100", DEPT_GAOTIE,
                 f"华东数字医疗发展中心所在地（{SEED_2024}）。园区级别为演示设定。", sample=True),
        ZoneSpec(ENCLAVE_TECH, "上饶科创中心", "tech_enclave", "上海市松江区", "310117", DEPT_TECH,
                 "江西省首家设区市政府主导型科创飞地，设在上海市松江区：研发孵化在长三角、转移转化在上饶。"
                 f"运营主体为演示设定（上饶组建兴新科创发展集团对科创飞地市场化运营，{SEED_2025}）。",
                 home_zone=ZONE_ETDZ, operator="xingxin"),
        ZoneSpec(ENCLAVE_TECH_SHARED, "科创飞地共享区", "tech_enclave", "上海市松江区", "310117", DEPT_TECH,
                 "上饶与上海临港联合发展公司合作设立的科创飞地共享区，推动技术研发孵化成功后优先落地上饶。",
                 parent=ENCLAVE_TECH, home_zone=ZONE_ETDZ, operator="lingang"),
        ZoneSpec(ENCLAVE_G60_CENTER, "G60协同中心", "tech_enclave", "上海市松江区", "310117", DEPT_TECH,
                 "在上海G60科创走廊建设的上饶与松江区协同创新中心；截至2024年7月已确定入驻上海凌鹊卫星等8家企业，"
                 f"在谈企业10余家（{SEED_2024}）。", home_zone=ZONE_ETDZ),
        ZoneSpec(ENCLAVE_G60_PARK, "G60科技合作产业园", "industrial_enclave", "江西省上饶市", "361100", DEPT_ETDZ,
                 "上饶与上海临港联合发展公司共建，以上饶经开区为承载主体。截至2024年7月已落户上海亥博粘胶材料、"
                 f"苏州弘道新材料等20余家企业，上海施尔威超级电容、成曜移动消防舱等8家企业已确定落户（{SEED_2024}）。",
                 parent=ZONE_ETDZ, operator="lingang"),
        ZoneSpec(ENCLAVE_G60_A, "G60产业园A区", "industrial_enclave", "江西省上饶市", "361100", DEPT_ETDZ,
                 "以光伏产业链补链为重点，着力打造战略性新兴产业集聚区。", parent=ENCLAVE_G60_PARK, operator="lingang"),
        ZoneSpec(ENCLAVE_G60_B, "G60产业园B区", "industrial_enclave", "江西省上饶市", "361100", DEPT_ETDZ,
                 "以研发设计、知识产权、数字经济等新业态为重点，着力打造生产性服务业集聚区。",
                 parent=ENCLAVE_G60_PARK, operator="lingang"),
        ZoneSpec(ENCLAVE_WORKSTATION, "融合技术工作站", "liaison_station", "上海市", "310000", DEPT_TECH,
                 "上饶与长三角企业、机构、院校共建的科技对接工作站。所在区为演示设定。", sample=True),
        ZoneSpec(ENCLAVE_INCUBATOR, "大数据离岸孵化器", "offshore_incubator", "上海市", "310000", DEPT_TECH,
                 "上饶与长三角共建的大数据产业离岸孵化器。所在地为演示设定。", sample=True),
        ZoneSpec(ENCLAVE_JINKO_SH, "晶科上海研发", "enterprise_rd_enclave", "上海市", "310000", DEPT_TECH,
                 f"晶科能源在上海设立的研发飞地，集智攻关基于N型TOPCon的钙钛矿叠层电池（{SEED_2024}）。",
                 home_zone=ZONE_ETDZ, operator="jinko"),
        ZoneSpec(ENCLAVE_JINKO_HN, "晶科海宁研发", "enterprise_rd_enclave", "浙江省海宁市", "330481", DEPT_TECH,
                 f"晶科能源在浙江海宁设立的研发飞地（{SEED_2024}）。", home_zone=ZONE_ETDZ, operator="jinko"),
        # The city has 19 talent liaison stations and 15 talent enclaves in the Yangtze delta; a few
        # of them, with invented locations.
        ZoneSpec("上饶驻松江人才工作联络站", "松江联络站", "liaison_station", "上海市松江区", "310117", DEPT_TECH,
                 "全市驻长三角人才工作联络站19家之一（示例）。", sample=True),
        ZoneSpec("上饶驻杭州人才工作联络站", "杭州联络站", "liaison_station", "浙江省杭州市", "330100", DEPT_TECH,
                 "全市驻长三角人才工作联络站19家之一（示例）。", sample=True),
        ZoneSpec("上饶驻南京人才工作联络站", "南京联络站", "liaison_station", "江苏省南京市", "320100", DEPT_TECH,
                 "全市驻长三角人才工作联络站19家之一（示例）。", sample=True),
        ZoneSpec("上饶(徐汇)人才飞地", "徐汇人才飞地", "talent_enclave", "上海市徐汇区", "310104", DEPT_TECH,
                 "全市人才飞地15个之一（示例）。", sample=True),
        ZoneSpec("上饶(温州)人才飞地", "温州人才飞地", "talent_enclave", "浙江省温州市", "330300", DEPT_TECH,
                 "全市人才飞地15个之一（示例）。", sample=True),
    ]


def _labels(gen: _Gen, *, big: bool, manufacturing: bool) -> list[LabelSpec]:
    rng, labels = gen.rng, []
    if rng.random() < (0.75 if big else 0.25 if manufacturing else 0.1):
        labels.append(LabelSpec("above_scale", gen.date(D(2016, 1, 1), D(2025, 12, 31))))
    if rng.random() < (0.5 if big else 0.25):
        since = gen.date(D(2019, 1, 1), D(2025, 12, 31))
        labels.append(LabelSpec("high_tech", since, D(since.year + 3, since.month, 1) - dt.timedelta(days=1)))
    elif rng.random() < 0.35:
        since = gen.date(D(2023, 1, 1), D(2026, 6, 30))
        labels.append(LabelSpec("tech_sme", since, D(since.year, 12, 31)))
    if rng.random() < (0.18 if big else 0.07):
        since = gen.date(D(2020, 1, 1), D(2025, 12, 31))
        labels.append(LabelSpec("specialized", since, D(since.year + 3, since.month, 1) - dt.timedelta(days=1)))
        if rng.random() < 0.2:
            since2 = gen.date(since, D(2026, 6, 30))
            labels.append(LabelSpec("little_giant", since2, D(since2.year + 3, since2.month, 1) - dt.timedelta(days=1)))
    return labels


def _synthetic_org(gen: _Gen, key: str, *, chain: str, zone: str | None, place: str, region_code: str,
                   style: str, region: str, department: str | None = None, address_area: str | None = None,
                   small: bool = False) -> OrgSpec:
    rng = gen.rng
    segment, options = rng.choice(words.CHAINS[chain])
    code, keyword = rng.choice(options)
    manufacturing = code.startswith("C")
    big = manufacturing and not small and rng.random() < 0.3
    employees = (rng.randint(300, 2500) if big else rng.randint(30, 300)) if manufacturing else rng.randint(8, 120)
    land = Decimal(rng.randint(8000, 60000) if big else rng.randint(1500, 12000)) / 100 if manufacturing else None
    if style == "partner":
        land = None  # land is tracked for sites at home only
    capital_wan = rng.choice((300, 500, 1000, 2000, 3000, 5000, 8000, 10000, 20000, 50000)[: 10 if big else 7])
    roads = words.ROADS.get(address_area or "", ())
    address = f"{address_area}{rng.choice(roads)}{rng.randint(1, 399)}号" if roads else ""
    legal, _ = gen.person()
    return _labelled_since_established(OrgSpec(
        key=key, name=gen.company(place, keyword, style), uscc=gen.uscc(region_code), industry_code=code,
        zone=zone, department=department, region=region, address=address, legal_representative=legal,
        registered_capital=Decimal(capital_wan * 10_000), established_on=gen.date(D(2006, 1, 1), D(2024, 6, 30)),
        land_area_mu=land, employees=employees, chain=chain,
        description=f"{chain}产业链·{segment}环节（示例企业）",
        labels=_labels(gen, big=big, manufacturing=manufacturing) if zone in {ZONE_ETDZ, ZONE_GAOTIE,
                                                                                 ENCLAVE_G60_A, ENCLAVE_G60_B} else [],
    ))


def _labelled_since_established(spec: OrgSpec) -> OrgSpec:
    """An enterprise is labelled once it exists: a label drawn before its founding is dated on it,
    one whose validity ended before is left out (the draws stay as they were, so the rest of the
    demo does not move)."""
    if spec.established_on:
        spec.labels = [dataclasses.replace(lab, since=max(lab.since, spec.established_on)) for lab in spec.labels
                       if lab.until is None or lab.until >= spec.established_on]
    return spec


def _real_orgs(gen: _Gen) -> dict[str, OrgSpec]:
    """Organizations the seed articles name. Their figures (land, staff, dates) are invented."""
    rep = "名称及事迹据公开报道；信用代码、用地、从业人员等为示例。"
    specs = [
        OrgSpec("jinko", ORG_JINKO, gen.uscc("361100"), industry_code="C3825", zone=ZONE_ETDZ,
                region="江西省上饶市", land_area_mu=Decimal("3200.00"), employees=12000, chain="光伏",
                description="光伏产业链主企业。在上海、浙江海宁设立研发飞地集智攻关，基于N型TOPCon的钙钛矿叠层电池"
                            f"转化率达33.24%，已累计26次打破光伏产品效率和功率世界纪录（{SEED_2024}）。" + rep,
                labels=[LabelSpec("listed", D(2022, 1, 26), note="上交所科创板 688223", sample=False),
                        LabelSpec("above_scale", D(2016, 1, 1)), LabelSpec("high_tech", D(2024, 12, 1), D(2027, 11, 30))]),
        OrgSpec("naipu", "江西耐普矿机股份有限公司", gen.uscc("361100"), industry_code="C3511", zone=ZONE_ETDZ,
                region="江西省上饶市", land_area_mu=Decimal("420.00"), employees=1100,
                description=f"与长三角大院大所实施联合攻关项目（{SEED_2025}）。" + rep,
                labels=[LabelSpec("listed", D(2020, 2, 12), note="深交所创业板（日期为示例）"),
                        LabelSpec("above_scale", D(2016, 1, 1)), LabelSpec("specialized", D(2023, 6, 1), D(2026, 5, 31))]),
        OrgSpec("yikong", "翼空无人机科技(江西)有限公司", gen.uscc("361100"), industry_code="C3749", zone=ZONE_ETDZ,
                region="江西省上饶市", land_area_mu=Decimal("85.00"), employees=260, chain="低空经济",
                description=f"订单遍及杭州、南京、上海，计划进驻上饶科创(人才)中心；翼空无人机低空经济产业园（{SEED_2025}）。"
                            "所在园区为演示设定。" + rep,
                labels=[LabelSpec("high_tech", D(2023, 11, 1), D(2026, 10, 31))]),
        OrgSpec("jinfeng", "江西金丰药业有限公司", gen.uscc("361100"), industry_code="C2720", zone=ZONE_ETDZ,
                region="江西省上饶市", land_area_mu=Decimal("150.00"), employees=380, chain="生物医药",
                description=f"经上饶市科技局推荐参加G60科创走廊第六届科技成果拍卖会（{SEED_2024}）。所在园区为演示设定。" + rep),
        OrgSpec("haibo", "上海亥博粘胶材料有限公司", gen.uscc("310117"), industry_code="C2929", zone=ENCLAVE_G60_A,
                region="江西省上饶市", land_area_mu=Decimal("60.00"), employees=150, chain="光伏",
                description=f"已落户长三角G60科创走廊(上饶)科技合作产业园（{SEED_2024}）；亥博新材料实现光伏胶带国产替代"
                            f"并在上饶落户量产（{SEED_2025}）。" + rep),
        OrgSpec("hongdao", "苏州弘道新材料有限公司", gen.uscc("320500"), industry_code="C3985", zone=ENCLAVE_G60_A,
                region="江西省上饶市", land_area_mu=Decimal("45.00"), employees=90, chain="光伏",
                description=f"已落户长三角G60科创走廊(上饶)科技合作产业园（{SEED_2024}）。" + rep),
        OrgSpec("shierwei", "上海施尔威超级电容有限公司", gen.uscc("310000"), industry_code="C3824",
                department=DEPT_ETDZ, region="上海市", employees=70, chain="锂电新能源",
                description=f"已确定落户长三角G60科创走廊(上饶)科技合作产业园（{SEED_2024}）。" + rep),
        OrgSpec("chengyao", "成曜移动消防舱有限公司", gen.uscc("361100"), industry_code="C3599",
                department=DEPT_ETDZ, employees=40,
                description=f"已确定落户长三角G60科创走廊(上饶)科技合作产业园（{SEED_2024}）。" + rep),
        OrgSpec("lingque", "上海凌鹊卫星有限公司", gen.uscc("310117"), industry_code="C3742",
                department=DEPT_TECH, region="上海市", employees=55,
                description=f"已确定入驻长三角G60科创走廊(上饶)创新协同中心（{SEED_2024}）。" + rep),
        OrgSpec("suolai", "溯徕科技(上海)有限公司", gen.uscc("310000"), industry_code="C3581",
                department=DEPT_TECH, region="上海市", employees=35, chain="生物医药",
                description=f"华东数字医学工程研究院依托上饶“双向飞地”在上海成立，研发项目已陆续投产（{SEED_2024}）。" + rep),
        OrgSpec("hddm", "华东数字医学工程研究院", gen.uscc("361100", "52"), kind=Organization.Kind.INSTITUTE,
                industry_code="M7340", zone=ZONE_GAOTIE, region="江西省上饶市", sample=False,
                description="依托上饶高铁经济试验区华东数字医疗发展中心，研发可穿戴动态血糖仪、4K荧光内窥镜摄像系统等"
                            f"智慧医疗器械（{SEED_2024}）。信用代码为示例。"),
        OrgSpec("xingxin", ORG_XINGXIN, gen.uscc("361100"), industry_code="L7221", department=DEPT_TECH,
                region="江西省上饶市", sample=False,
                description=f"上饶市组建的科创发展集团，对科创飞地进行专业化市场化运营（{SEED_2024}；{SEED_2025}）。"
                            "信用代码为示例。"),
        OrgSpec("lingang", ORG_LINGANG, gen.uscc("310000"), industry_code="L7221", department=DEPT_TECH,
                region="上海市", sample=False,
                description="与上饶合作设立科创飞地共享区，共建长三角G60科创走廊(上饶)科技合作产业园；与松江区、上饶"
                            f"共同培育G60科创走廊卫星互联网产业（{SEED_2024}；{SEED_2025}）。信用代码为示例。"),
        OrgSpec("lianchen", "上海联辰千帆有限公司", gen.uscc("310000"), industry_code="I6339", department=DEPT_TECH,
                region="上海市", sample=False,
                description=f"与上饶深度合作培育G60科创走廊卫星互联网产业（{SEED_2024}）。信用代码为示例。"),
        OrgSpec("shtex", "上海技术交易所", gen.uscc("310000"), industry_code="M7520", department=DEPT_TECH,
                region="上海市", sample=False,
                description=f"协同推进科技成果转化“1+M+N”体系建设（{SEED_2024}）。信用代码为示例。"),
    ]
    return {s.key: s for s in specs}


def build_plan() -> Plan:
    rng = random.Random(2025)
    gen = _Gen(rng)
    orgs = _real_orgs(gen)
    gen.org_names.update(s.name for s in orgs.values())

    def add(spec: OrgSpec) -> str:
        orgs[spec.key] = spec
        return spec.key

    # Enterprises in the two zones, across the priority chains.
    etdz_mix = {"光伏": 30, "锂电新能源": 18, "新能源汽车": 16, "光学": 16, "电子信息": 14, "生物医药": 8, "低空经济": 4}
    gaotie_mix = {"电子信息": 20, "生物医药": 18, "低空经济": 14, "光学": 6, "新能源汽车": 4}
    for zone, mix, prefix in ((ZONE_ETDZ, etdz_mix, "etdz"), (ZONE_GAOTIE, gaotie_mix, "gaotie")):
        n = 0
        for chain, count in mix.items():
            for _ in range(count):
                n += 1
                add(_synthetic_org(gen, f"{prefix}{n:03d}", chain=chain, zone=zone, place="",
                                   region_code="361100", style="branch" if rng.random() < 0.25 else "local",
                                   region="江西省上饶市", address_area=zone))

    # Residents of the enclaves. Steps are dated; the seed counts hold at the article's date.
    residencies: list[ResidencySpec] = []
    partner_places = (("上海", "310000", "上海市"), ("上海", "310117", "上海市松江区"), ("苏州", "320500", "江苏省苏州市"),
                      ("杭州", "330100", "浙江省杭州市"), ("宁波", "330200", "浙江省宁波市"),
                      ("无锡", "320200", "江苏省无锡市"), ("温州", "330300", "浙江省温州市"))

    def path(status: str, start: dt.date, end: dt.date) -> list[tuple[str, dt.date]]:
        """Dated steps 在谈 → … → status, each 1–4 months after the previous one."""
        d = gen.date(start, end)
        steps = [(Residency.Status.NEGOTIATING, d)]
        order = {Residency.Status.CONFIRMED: 1, Residency.Status.RESIDENT: 2}
        later = list((Residency.Status.CONFIRMED, Residency.Status.RESIDENT)[: order.get(status, 0)])
        if status == Residency.Status.EXITED:
            later.append(Residency.Status.EXITED)
        for s in later:
            d = d + dt.timedelta(days=rng.randint(30, 120))
            if d > LATEST:  # not there yet
                break
            steps.append((s, d))
        return steps

    def enclave_residents(enclave: str, prefix: str, chains: list[str], counts: dict[str, int], *,
                          resident_zone: str, department: str, window: tuple[dt.date, dt.date],
                          home_style: str, area: str | None) -> None:
        n = 0
        for status, count in counts.items():
            for _ in range(count):
                n += 1
                place, code, region = rng.choice(partner_places)
                inside = status == Residency.Status.RESIDENT
                chain = rng.choice(chains)
                if inside and home_style == "home":
                    spec = _synthetic_org(gen, f"{prefix}{n:02d}", chain=chain, zone=resident_zone, place="",
                                          region_code="361100", style="branch", region="江西省上饶市",
                                          address_area=area)
                else:
                    spec = _synthetic_org(gen, f"{prefix}{n:02d}", chain=chain, zone=resident_zone if inside else None,
                                          place=place, region_code=code, style="partner", region=region,
                                          department=department, address_area=area if inside else None, small=True)
                add(spec)
                residencies.append(ResidencySpec(spec.key, enclave, path(status, *window)))

    S = Residency.Status
    # 上饶科创(人才)中心 in 松江: partner-region start-ups and Shangrao firms' R&D teams.
    enclave_residents(ENCLAVE_TECH, "kc", ["光伏", "锂电新能源", "电子信息", "生物医药", "低空经济", "光学"],
                      {S.RESIDENT: 14, S.CONFIRMED: 5, S.NEGOTIATING: 7, S.EXITED: 3}, resident_zone=ENCLAVE_TECH,
                      department=DEPT_TECH, window=(D(2023, 3, 1), D(2026, 6, 30)), home_style="partner",
                      area="上海市松江区")
    residencies.append(ResidencySpec("yikong", ENCLAVE_TECH, [(S.NEGOTIATING, D(2025, 2, 24))],
                                     note=f"正计划进驻，以便对接长三角科技人才（{SEED_2025}）"))
    residencies.append(ResidencySpec("suolai", ENCLAVE_TECH, [(S.NEGOTIATING, D(2023, 5, 10)),
                                                              (S.CONFIRMED, D(2023, 7, 3)), (S.RESIDENT, D(2023, 9, 1))]))
    enclave_residents(ENCLAVE_TECH_SHARED, "gx", ["电子信息", "低空经济", "光伏"],
                      {S.RESIDENT: 4, S.CONFIRMED: 1, S.NEGOTIATING: 2}, resident_zone=ENCLAVE_TECH_SHARED,
                      department=DEPT_TECH, window=(D(2024, 1, 1), D(2026, 5, 31)), home_style="partner",
                      area="上海市松江区")
    # G60 innovation centre: 8 confirmed (上海凌鹊卫星 among them) and 10+ negotiating by 2024-07-11;
    # three of the eight have entered since.
    residencies.append(ResidencySpec("lingque", ENCLAVE_G60_CENTER, [(S.NEGOTIATING, D(2023, 11, 6)),
                                                                     (S.CONFIRMED, D(2024, 3, 18))],
                                     note=f"已确定入驻（{SEED_2024}）"))
    enclave_residents(ENCLAVE_G60_CENTER, "xt", ["电子信息", "低空经济", "生物医药", "光学"],
                      {S.CONFIRMED: 4, S.RESIDENT: 3}, resident_zone=ENCLAVE_G60_CENTER, department=DEPT_TECH,
                      window=(D(2023, 6, 1), D(2024, 2, 28)), home_style="partner", area="上海市松江区")
    enclave_residents(ENCLAVE_G60_CENTER, "xtn", ["电子信息", "低空经济", "生物医药", "光学", "光伏"],
                      {S.NEGOTIATING: 11, S.EXITED: 1}, resident_zone=ENCLAVE_G60_CENTER, department=DEPT_TECH,
                      window=(D(2024, 1, 1), D(2024, 7, 1)), home_style="partner", area=None)
    # G60 park at home: 20+ settled and 8 confirmed by 2024-07-11 (亥博, 弘道 settled; 施尔威, 成曜 confirmed).
    residencies += [
        ResidencySpec("haibo", ENCLAVE_G60_A, [(S.NEGOTIATING, D(2022, 9, 5)), (S.CONFIRMED, D(2022, 12, 20)),
                                               (S.RESIDENT, D(2023, 6, 8))], note=f"已落户（{SEED_2024}）"),
        ResidencySpec("hongdao", ENCLAVE_G60_A, [(S.NEGOTIATING, D(2022, 11, 14)), (S.CONFIRMED, D(2023, 3, 2)),
                                                 (S.RESIDENT, D(2023, 10, 16))], note=f"已落户（{SEED_2024}）"),
        ResidencySpec("shierwei", ENCLAVE_G60_A, [(S.NEGOTIATING, D(2023, 12, 4)), (S.CONFIRMED, D(2024, 5, 21))],
                      note=f"已确定落户（{SEED_2024}）"),
        ResidencySpec("chengyao", ENCLAVE_G60_A, [(S.NEGOTIATING, D(2024, 1, 15)), (S.CONFIRMED, D(2024, 6, 12))],
                      note=f"已确定落户（{SEED_2024}）"),
    ]
    enclave_residents(ENCLAVE_G60_A, "pa", ["光伏", "光伏", "锂电新能源", "新能源汽车"],
                      {S.RESIDENT: 14, S.CONFIRMED: 4}, resident_zone=ENCLAVE_G60_A, department=DEPT_ETDZ,
                      window=(D(2022, 6, 1), D(2023, 9, 30)), home_style="home", area="上饶经开区")
    enclave_residents(ENCLAVE_G60_A, "pal", ["光伏", "锂电新能源"],
                      {S.RESIDENT: 4, S.CONFIRMED: 4, S.NEGOTIATING: 6, S.EXITED: 1}, resident_zone=ENCLAVE_G60_A,
                      department=DEPT_ETDZ, window=(D(2024, 8, 1), D(2026, 6, 30)), home_style="home",
                      area="上饶经开区")
    enclave_residents(ENCLAVE_G60_B, "pb", ["生产性服务业"],
                      {S.RESIDENT: 6, S.CONFIRMED: 2}, resident_zone=ENCLAVE_G60_B, department=DEPT_ETDZ,
                      window=(D(2022, 10, 1), D(2023, 10, 31)), home_style="home", area="上饶经开区")
    enclave_residents(ENCLAVE_G60_B, "pbl", ["生产性服务业"],
                      {S.RESIDENT: 4, S.NEGOTIATING: 5, S.EXITED: 1}, resident_zone=ENCLAVE_G60_B,
                      department=DEPT_ETDZ, window=(D(2024, 8, 1), D(2026, 6, 30)), home_style="home",
                      area="上饶经开区")
    enclave_residents(ENCLAVE_INCUBATOR, "fh", ["生产性服务业", "电子信息"],
                      {S.RESIDENT: 3, S.CONFIRMED: 1, S.NEGOTIATING: 1, S.EXITED: 1}, resident_zone=ENCLAVE_INCUBATOR,
                      department=DEPT_TECH, window=(D(2024, 1, 1), D(2026, 3, 31)), home_style="partner", area=None)

    # Partner-region universities and institutes.
    for i, (name, kind, region, code, industry) in enumerate(words.INSTITUTIONS, start=1):
        add(OrgSpec(f"inst{i:02d}", name, gen.uscc(code, "12"), kind=kind, industry_code=industry,
                    department=DEPT_TECH, region=region, sample=False, description="长三角高校院所。信用代码为示例。"))
    sjtu = next(k for k, s in orgs.items() if s.name == ORG_SJTU)

    # People: officials, enterprise contacts, talents.
    people: list[PersonSpec] = []
    official_names: dict[str, str] = {}

    def official(dept: str, title: str, key: str | None = None, note: str = "") -> None:
        name, male = gen.person()
        people.append(PersonSpec(name, Person.Kind.OFFICIAL, title=title, department=dept, phone=gen.phone(),
                                 id_card=gen.id_card(male), note=note))
        if key:
            official_names[key] = name

    official(DEPT_ETDZ, "党工委书记")
    official(DEPT_ETDZ, "管委会主任（区主要领导）", "leader")
    official(DEPT_ETDZ, "管委会副主任（分管招商）")
    official(DEPT_ETDZ, "管委会副主任（分管安商服务）")
    official("招商局", "局长", "invest")
    official("招商局", "副局长")
    for team in ("光伏", "锂电新能源与新能源汽车", "光学与电子信息"):
        official("招商局", f"{team}招商专班组长")
    official("项目办", "主任", "project")
    official("项目办", "项目调度专员")
    official("安商办", "主任", "service")
    for area in ("一", "二", "三"):
        official("安商办", f"第{area}服务小组组长（包片）")
    for i in range(8):
        official(rng.choice(ETDZ_BUREAUS), "挂点干部", "cadre" if i == 0 else None,
                 note=f"挂点联系企业，第{'一二三'[i % 3]}服务小组")
    official("科技创新局", "局长")
    official("经济发展局", "局长（统计）", "stats")
    official("经济发展局", "统计员")
    official("党政办", "主任")
    official(DEPT_GAOTIE, "管委会主任")
    official("综合办", "主任", "gaotie_clerk")
    for _ in range(3):
        official("综合办", "挂点干部")
    official(DEPT_TECH, "副局长（分管飞地）", "tech")
    official(DEPT_TECH, "飞地服务专员")
    official(DEPT_TECH, "人才工作联络站联络员")
    official(DEPT_CITY, "信息中心主任", "sysadmin")
    official(DEPT_CITY, "网络安全专员", "secadmin")
    official(DEPT_CITY, "审计专员", "auditor")

    for key, spec in orgs.items():
        if spec.kind == Organization.Kind.ENTERPRISE:
            people.append(gen.contact(key))
            if key == "jinko":
                people.append(gen.contact(key))
        elif key.startswith("inst"):
            contact = gen.contact(key)
            contact.title = rng.choice(("科研处副处长", "技术转移中心主任", "成果转化办公室主任"))
            people.append(contact)
    ent_contact = next(p.name for p in people if p.organization == "jinko")
    inst_contact = next(p.name for p in people if p.organization == sjtu)

    # Talents introduced through the enclaves (the city reports 1,000+; 60 here).
    employers = [k for k, s in orgs.items() if s.chain and (s.zone or "").startswith(("上饶", "长三角"))]
    channels = (ENCLAVE_TECH, ENCLAVE_G60_CENTER, "上饶驻松江人才工作联络站", "上饶驻杭州人才工作联络站",
                "上饶(徐汇)人才飞地")
    for _ in range(60):
        key = rng.choice(employers)
        chain = orgs[key].chain
        name, male = gen.person()
        year = rng.randint(2022, 2026)
        people.append(PersonSpec(name, Person.Kind.TALENT, title=rng.choice(words.TALENT_TITLES), organization=key,
                                 phone=gen.phone(), id_card=gen.id_card(male),
                                 field=rng.choice(words.TALENT_FIELDS[chain]),
                                 note=f"{year}年经{rng.choice(channels)}引进"))

    agreements = _agreements()
    users = [
        UserSpec("leader", official_names["leader"], "zone_leader", department=DEPT_ETDZ, title="管委会主任"),
        UserSpec("invest", official_names["invest"], "investment", department="招商局", title="招商局局长"),
        UserSpec("project", official_names["project"], "project_office", department="项目办", title="项目办主任"),
        UserSpec("service", official_names["service"], "service_office", department="安商办", title="安商办主任"),
        UserSpec("cadre", official_names["cadre"], "service_cadre", department="安商办", title="挂点干部"),
        # the city's science bureau runs the enclaves and reads every zone's pipeline to link the
        # projects its enclave incubations become (转化落地)
        UserSpec("tech", official_names["tech"], "tech_bureau", department=DEPT_TECH, extra_roles=("city_leader",),
                 title="科技局局长"),
        UserSpec("stats", official_names["stats"], "statistics", department="经济发展局", title="统计员"),
        UserSpec("gaotie_clerk", official_names["gaotie_clerk"], "zone_clerk", department=DEPT_GAOTIE, title="园区办事员"),
        UserSpec("ent_jinko", ent_contact, "enterprise", organization="jinko", title="企业联络员"),
        UserSpec("inst_sjtu", inst_contact, "institution", organization=sjtu, title="成果转化办主任"),
        # an outside expert the science bureau invites to score 揭榜 applications (name fixed: the
        # generator's sequence, and so every other demo name, stays as it was)
        UserSpec("expert", "周明远", "tech_expert", department=DEPT_TECH, title="评审专家"),
        # the zone's policy office (惠企政策); a fixed name, like the expert's, keeps every other name
        UserSpec("policy", "林惠民", "policy_office", department="经济发展局", title="政策兑现专员"),
        UserSpec("sysadmin", official_names["sysadmin"], "sysadmin", department=DEPT_CITY, totp=True, title="系统管理员"),
        UserSpec("secadmin", official_names["secadmin"], "secadmin", department=DEPT_CITY, totp=True, title="安全管理员"),
        UserSpec("auditor", official_names["auditor"], "auditor", department=DEPT_CITY, totp=True, title="安全审计员"),
    ]
    assert [u.username for u in users] == [u for u, _ in DEMO_USERS], "demo users must match logins.DEMO_USERS"
    return Plan(_departments(), _zones(), orgs, people, residencies, agreements, users)


def _agreements() -> list[AgreementSpec]:
    planned, ongoing, done = Commitment.Status.PLANNED, Commitment.Status.ONGOING, Commitment.Status.DONE
    city, seed = "上饶市人民政府", f"上饶与长三角城市签署的战略合作协议之一（{SEED_2025}）；签署日期与承诺进度为示例。"
    return [
        AgreementSpec("上饶市—上海市松江区战略合作协议", city, "上海市松江区人民政府", D(2023, 4, 18), D(2028, 4, 17),
                      "共建科创飞地与G60协同创新中心，研发孵化在上海、转移转化在上饶。" + seed, DEPT_TECH, [
                          ("在松江区建设上饶科创(人才)中心", "上饶市科技局", D(2023, 12, 31), done),
                          ("在G60科创走廊建设上饶与松江区协同创新中心", "上海市松江区科委", D(2024, 6, 30), done),
                          ("推动科技、人才政策跨区域互通互认", "双方", D(2025, 12, 31), ongoing),
                          ("上饶光伏、锂电产业创新联合体加入G60科创走廊产业联盟", "上饶市科技局", D(2024, 12, 31), done),
                          ("建立“揭榜挂帅”项目与G60科创走廊联席办协同发榜机制", "双方", D(2026, 12, 31), ongoing),
                      ]),
        AgreementSpec("上饶市—上海市徐汇区战略合作协议", city, "上海市徐汇区人民政府", D(2023, 9, 12), D(2028, 9, 11),
                      "高校院所科技成果对接、人才飞地与公共科创服务平台共享。" + seed, DEPT_TECH, [
                          ("徐汇区高校院所科技成果优先对接上饶转化", "上海市徐汇区科委", D(2025, 12, 31), ongoing),
                          ("共建上饶(徐汇)人才飞地", "上饶市委人才办", D(2024, 10, 31), done),
                          ("共享长三角公共科创服务平台", "双方", D(2026, 6, 30), ongoing),
                      ]),
        AgreementSpec("上饶市—浙江省温州市战略合作协议", city, "浙江省温州市人民政府", D(2024, 3, 26), D(2029, 3, 25),
                      "电子信息、新能源汽车产业链协作与人才交流。" + seed, DEPT_TECH, [
                          ("开展电子信息、新能源汽车产业链上下游对接", "两市商务局", D(2025, 6, 30), ongoing),
                          ("共建上饶(温州)人才飞地", "上饶市委人才办", D(2025, 3, 31), done),
                      ]),
        AgreementSpec("上饶市—浙江省金华市战略合作协议", city, "浙江省金华市人民政府", D(2024, 5, 9), D(2029, 5, 8),
                      "产业协作与科技创新合作。" + seed, DEPT_TECH, [
                          ("共同举办科技成果对接会", "两市科技局", D(2025, 9, 30), done),
                          ("推动企业联合攻关项目合作", "两市科技局", D(2026, 12, 31), planned),
                      ]),
        AgreementSpec("上饶市—浙江省衢州市战略合作协议", city, "浙江省衢州市人民政府", D(2024, 6, 20), D(2029, 6, 19),
                      "浙赣边际合作，新材料、新能源产业协同。" + seed, DEPT_TECH, [
                          ("新材料、新能源产业链协同招商", "两市投促部门", D(2025, 12, 31), ongoing),
                          ("共建科技创新服务平台", "两市科技局", D(2026, 12, 31), planned),
                      ]),
        AgreementSpec("共建长三角G60科创走廊(上饶)科技合作产业园合作协议", "上饶经济技术开发区管理委员会", ORG_LINGANG,
                      D(2022, 5, 16), D(2037, 5, 15),
                      "以上饶经开区为承载主体共建产业园：A区光伏产业链补链，B区研发设计、知识产权、数字经济。"
                      "产值统计分算与税收分成比例、签署日期为示例。", DEPT_ETDZ, [
                          ("上海临港联合发展有限公司负责园区招商与运营", ORG_LINGANG, D(2037, 5, 15), ongoing),
                          ("上饶经开区负责用地、用能等要素保障", DEPT_ETDZ, D(2037, 5, 15), ongoing),
                          ("A区引进光伏产业链补链企业20家以上", "双方", D(2024, 12, 31), done),
                          ("B区建成生产性服务业集聚区", "双方", D(2026, 12, 31), ongoing),
                      ], output_share_a=Decimal("60.00"), tax_share_a=Decimal("50.00")),
        AgreementSpec("上饶科创飞地共享区合作协议", "上饶市科技局", ORG_LINGANG, D(2023, 8, 30), D(2028, 8, 29),
                      "与上海临港联合发展公司合作设立科创飞地共享区，技术研发孵化成功后优先落地上饶。"
                      "签署日期为示例。", DEPT_TECH, [
                          ("孵化成功项目优先在上饶落地转化", ORG_LINGANG, D(2028, 8, 29), ongoing),
                          ("共享区入驻企业享受上饶科创飞地扶持政策", "上饶市科技局", D(2024, 6, 30), done),
                      ]),
    ]


# --- Loading: look each record up by its natural key, create what is missing ---------------------
class _Loader:
    def __init__(self, plan: Plan):
        self.plan = plan
        self.created: Counter[str] = Counter()
        self.depts: dict[str, Department] = {}
        self.zones: dict[str, Zone] = {}
        self.orgs: dict[str, Organization] = {}
        self.kinds = {i.code: i for i in DictItem.objects.filter(type__code="zone_kind")}
        self.labels = {i.code: i for i in DictItem.objects.filter(type__code="org_label")}
        self.existing_orgs = Organization.objects.in_bulk(
            [s.uscc for s in plan.orgs.values()], field_name="uscc")

    def run(self) -> None:
        for parent, name, kind in self.plan.departments:
            self.department(parent, name, kind)
        for spec in self.plan.zones:
            self.zone(spec.name)
        for key in self.plan.orgs:
            self.org(key)
        self.load_labels()
        self.load_people()
        self.load_residencies()
        self.load_agreements()
        self.load_users()

    def department(self, parent: str | None, name: str, kind: str) -> Department:
        parent_obj = self.depts[parent] if parent else None
        dept = Department.objects.filter(parent=parent_obj, name=name).first()
        if dept is None:
            order = len([d for d in self.depts.values() if d.parent_id == getattr(parent_obj, "pk", None)])
            dept = do_save_department(Department(parent=parent_obj, name=name, kind=kind, order=order),
                                      acting_user=None)
            self.created["部门"] += 1
        self.depts[name] = dept
        return dept

    def zone(self, name: str) -> Zone:
        if name in self.zones:
            return self.zones[name]
        zone = Zone.objects.filter(name=name).first()
        if zone is None:
            spec = next(s for s in self.plan.zones if s.name == name)
            zone = Zone(name=spec.name, short_name=spec.short_name, kind=self.kinds[spec.kind],
                        host_region=spec.host_region, region_code=spec.region_code,
                        department=self.depts[spec.department], description=spec.description, sample=spec.sample,
                        parent=self.zone(spec.parent) if spec.parent else None,
                        home_zone=self.zone(spec.home_zone) if spec.home_zone else None,
                        operator=self.org(spec.operator) if spec.operator else None)
            do_save_zone(zone, acting_user=None)
            self.created["园区与飞地"] += 1
        self.zones[name] = zone
        return zone

    def org(self, key: str) -> Organization:
        if key in self.orgs:
            return self.orgs[key]
        spec = self.plan.orgs[key]
        org = self.existing_orgs.get(spec.uscc) or build.organization.make(
            self.created, name=spec.name, uscc=spec.uscc, kind=spec.kind, industry_code=spec.industry_code,
            zone=self.zone(spec.zone) if spec.zone else None,
            department=self.depts[spec.department] if spec.department else None, region=spec.region,
            address=spec.address, legal_representative=spec.legal_representative,
            registered_capital=spec.registered_capital, established_on=spec.established_on,
            land_area_mu=spec.land_area_mu, employees=spec.employees, description=spec.description,
            sample=spec.sample)
        self.orgs[key] = org
        return org

    def load_labels(self) -> None:
        have = build.label.existing(organization__in=self.orgs.values())
        for key, spec in self.plan.orgs.items():
            org = self.orgs[key]
            for lab in spec.labels:
                item = self.labels[lab.code]
                build.label.ensure(self.created, have=have, organization=org, label=item, since=lab.since,
                                   until=lab.until, note=lab.note, sample=lab.sample, department=org.department)
                have.add((org.pk, item.pk))

    def load_people(self) -> None:
        have = build.person.existing(sample=True)
        for p in self.plan.people:
            build.person.ensure(
                self.created, have=have, name=p.name, kind=p.kind,
                organization=self.orgs[p.organization] if p.organization else None, title=p.title, phone=p.phone,
                id_card=p.id_card, field=p.field, note=p.note,
                department=self.depts[p.department] if p.department else None)

    def load_residencies(self) -> None:
        have = build.residency.existing()
        for r in self.plan.residencies:
            (first, since), *rest = r.steps
            res = build.residency.ensure(self.created, have=have, organization=self.orgs[r.organization],
                                         enclave=self.zones[r.enclave], status=first, negotiating_since=since,
                                         note=r.note)
            for status, on in rest if res else ():
                res = do_transition_residency(res, status, on=on, acting_user=None)

    def load_agreements(self) -> None:
        for a in self.plan.agreements:
            dept = self.depts[a.department]
            agreement = build.agreement.ensure(
                self.created, title=a.title, party_a=a.party_a, party_b=a.party_b, signed_on=a.signed_on,
                valid_until=a.valid_until, summary=a.summary, output_share_a=a.output_share_a,
                tax_share_a=a.tax_share_a, department=dept)
            have = build.commitment.existing(agreement=agreement)
            for content, owner, due, status in a.commitments:
                build.commitment.ensure(self.created, have=have, agreement=agreement, content=content, owner=owner,
                                        due_on=due, status=status, department=dept)

    def load_users(self) -> None:
        roles = {r.code: r for r in Role.objects.all()}
        have = build.user.existing(username__in=[u.username for u in self.plan.users])
        for u in self.plan.users:
            # the admins get a known secret, already confirmed, so browser tests can compute codes (pyotp)
            totp = {"totp_secret": DEMO_TOTP_SECRET, "totp_confirmed": True} if u.totp else {}
            build.user.ensure(
                self.created, have=have, username=u.username, full_name=u.full_name, title=u.title,
                department=self.depts[u.department] if u.department else None,
                organization=self.orgs[u.organization] if u.organization else None, **totp,
                action={"password": DEMO_PASSWORD, "roles": [roles[r] for r in (u.role, *u.extra_roles)]})


def load() -> dict:
    """Load the demo city (idempotent). Returns what was created and the totals."""
    plan = build_plan()
    with acting("cli"), transaction.atomic():
        loader = _Loader(plan)
        loader.run()
    zones = {z.name: z.pk for z in loader.zones.values()}
    per_zone = Counter(Organization.objects.filter(zone_id__in=zones.values()).values_list("zone__name", flat=True))
    totals = {
        "部门": Department.objects.count(),
        "园区与飞地": Zone.objects.count(),
        "单位": Organization.objects.count(),
        "单位标签": OrganizationLabel.objects.count(),
        "人员": Person.objects.count(),
        "飞地入驻": Residency.objects.count(),
        "合作协议": Agreement.objects.count(),
        "协议承诺": Commitment.objects.count(),
        "账号": User.objects.count(),
    }
    return {"created": dict(loader.created), "totals": totals, "per_zone": dict(per_zone)}
