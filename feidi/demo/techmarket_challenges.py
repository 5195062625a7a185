"""Demo 揭榜挂帅 (challenges) and 联合攻关 (joint research projects). All of it is sample (示例).

The seed articles report that 上饶's first batch had 9 揭榜挂帅 projects (光学元器件、特种高分子材料 …),
published jointly with the G60 科创走廊联席办 (协同发榜), and that enterprises such as 晶科能源 carried
out 20 joint projects with the Yangtze-delta universities and institutes; 亥博新材料's
photovoltaic tape was localised and went into mass production in 上饶. This batch follows that
picture: nine challenges on the demo market's published demands — one still a draft, three open,
two in expert review, three awarded into joint projects (one active with its milestones, one
accepted, one accepted and transferred to the 亥博 production project of the demo pipeline when
the acting staff can see it). Bounties, scores, dates and proposals are invented.

Runs after ``feidi.demo.techmarket.load()`` (it needs that demo's published demands and the
partner-region institutions of the demo city); idempotent: a challenge is looked up by its title
and only missing ones are created, through the actions of ``feidi.challenges.actions``
(applications of institutions without a demo login are written with ``create_object``). Awarded
challenges are back-dated after the actions ran, so that their call closed before the project began.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from feidi.accounts.models import User
from feidi.core.actions import create_object
from feidi.core.context import acting
from feidi.registry.models import Organization

from . import build

G60_OFFICE = "长三角G60科创走廊联席会议办公室"
SJTU = "上海交通大学"

CRITERIA = {
    "key": [{"name": "技术先进性", "weight": 35}, {"name": "团队实力与前期基础", "weight": 25},
            {"name": "实施方案可行性", "weight": 25}, {"name": "成果转化与产业化前景", "weight": 15}],
    "common": [{"name": "技术方案", "weight": 40}, {"name": "研发团队", "weight": 30}, {"name": "经费与进度安排", "weight": 30}],
}

# demand title, challenge title, bounty (万元), joint with G60, criteria, fate,
# applications: (lead, members, proposal, months, budget 万元, expert's scores)
BATCH = [
    ("钙钛矿/晶硅叠层电池大面积制备与稳定性提升", "钙钛矿/晶硅叠层电池中试技术攻关", 2000, True, "key", "active", [
        (SJTU, ["中国科学院上海硅酸盐研究所"], "狭缝涂布+气刀结晶制备M10钙钛矿顶电池，界面自组装单分子层钝化，"
         "联合硅酸盐所开展封装与湿热老化验证，24个月内完成中试线导入。", 24, 1900, [92, 90, 88, 86]),
        ("复旦大学", [], "采用真空共蒸法制备钙钛矿层，重点解决大面积均匀性与离子迁移问题。", 24, 1800, [88, 82, 80, 78]),
        ("东华大学", [], "以柔性衬底钙钛矿电池为主线，兼顾叠层结构的界面工程研究。", 30, 1500, [75, 72, 70, 70]),
    ]),
    ("光伏组件用耐候型压敏胶带配方优化", "光伏组件耐候型压敏胶带国产替代", 300, True, "common", "transferred", [
        ("华东理工大学", ["上海大学"], "设计含氟丙烯酸酯共聚物与多官能交联体系，双85老化1000小时剥离强度保持率85%，"
         "与企业中试线联合验证配方。", 12, 280, [90, 88, 86]),
        ("东华大学", [], "以有机硅改性丙烯酸压敏胶为主线，提升高温持粘力。", 12, 260, [82, 80, 78]),
    ]),
    ("高安全磷酸铁锂储能电芯热失控抑制技术", "大容量储能电芯热失控抑制与早期预警", 600, False, "key", "accepted", [
        ("上海临港东岸新型储能研究院", ["中国科学院上海微系统与信息技术研究所"], "阻燃电解液添加剂+气凝胶隔热层，"
         "结合氢气/一氧化碳气体传感早期预警，完成针刺、过充不起火不爆炸验证。", 12, 580, [89, 86, 88, 84]),
        ("上海电力大学", [], "基于电化学阻抗谱的热失控早期预警算法与簇级防护策略。", 12, 420, [80, 78, 82, 76]),
    ]),
    ("高频高速PCB低损耗基材国产替代", "高频高速PCB低损耗特种高分子基材", 600, True, "key", "review", [
        ("中国科学院宁波材料技术与工程研究所", ["浙江工业大学"], "聚苯醚/碳氢树脂复合体系，Df≤0.002@10GHz，"
         "配套低轮廓铜箔粘接工艺。", 24, 580, [88, 85, 84, 82]),
        ("同济大学", [], "液晶聚合物（LCP）薄膜改性路线，兼顾加工性与介电性能。", 24, 560, [84, 82, 80, 80]),
    ]),
    ("车载镜头玻塑混合非球面镜片模压工艺", "车载镜头玻塑混合非球面镜片（光学元器件）", 400, True, "key", "open", [
        ("中国科学院上海光学精密机械研究所", [], "精密模压工艺窗口与模具超精密加工，面形精度PV≤0.3μm。", 18, 380, None),
    ]),
    ("800V碳化硅电驱控制器开发", "800V碳化硅电驱控制器联合开发", 1200, True, "key", "open", [
        ("南京航空航天大学", ["东南大学"], "SiC功率模块双面散热封装与高频驱动、EMC抑制，峰值效率≥99%。", 24, 1150, None),
        ("浙江大学", [], "基于模型预测控制的800V电驱控制算法与功能安全设计。", 24, 1000, None),
    ]),
    ("工业级无人机长航时氢燃料电池动力系统", "工业级无人机氢燃料电池动力系统", 1000, False, "key", "open", []),
    ("手性药物中间体连续流合成工艺", "手性药物中间体连续流合成工艺开发", 400, False, "common", "review", [
        ("中国科学院上海有机化学研究所", [], "不对称氢化连续流工艺，ee值≥99%，收率提升20%。", 18, 380, [91, 88, 85]),
        ("华东理工大学", [], "微通道反应器与固定床催化剂组合路线。", 18, 350, [85, 84, 80]),
    ]),
    ("TOPCon电池银浆降耗与铜电镀金属化技术", "TOPCon电池铜电镀金属化技术（待发榜）", 500, True, "common", "draft", []),
]

MILESTONES = {
    "active": [("完成钙钛矿顶电池小面积器件效率验证", -200, -210), ("M10尺寸薄膜均匀性达标", -60, None),
               ("湿热1000小时老化测试", 90, None), ("中试线导入与验收材料", 400, None)],
    "accepted": [("阻燃电解液配方定型", -300, -305), ("电芯针刺、过充测试通过", -150, -140),
                 ("预警系统样机与储能柜联调", -60, -62)],
    "transferred": [("耐候胶带配方定型", -330, -335), ("双85老化1000小时验证", -200, -190),
                    ("企业中试线批量试制", -90, -95)],
}


class _Loader:
    def __init__(self, tech: User, expert: User | None):
        self.tech, self.expert = tech, expert
        self.created: Counter[str] = Counter()
        self.today = timezone.localdate()
        self.sjtu_user = User.objects.filter(organization__name=SJTU, is_active=True).first()

    def org(self, name: str) -> Organization | None:
        return Organization.objects.filter(name=name).order_by("pk").first()

    def load(self) -> None:
        from feidi.techmarket.models import Demand

        for demand_title, title, bounty, joint, criteria, fate, applications in BATCH:
            if build.challenge.find(title=title):
                continue
            demand = Demand.objects.filter(title=demand_title, status=Demand.Status.PUBLISHED, sample=True).first()
            if demand is None:
                continue
            self.challenge(demand, title, bounty, joint, CRITERIA[criteria], fate, applications)

    def challenge(self, demand, title, bounty, joint, criteria, fate, applications) -> None:
        from feidi.challenges import actions as challenges
        from feidi.challenges.models import Application
        from feidi.challenges.models import Challenge

        awarded = fate in ("active", "accepted", "transferred")
        deadline = self.today + dt.timedelta(days={"open": 45, "draft": 60}.get(fate, 20))
        challenge = build.challenge.make(
            self.created, acting_user=self.tech, action={"experts": [self.expert] if self.expert else []},
            demand=demand, title=title, bounty=Decimal(bounty * 10_000), deadline=deadline, criteria=criteria,
            conditions="申报单位应为高校、科研院所或新型研发机构，可牵头组建创新联合体；须具备相关领域研究基础与中试验证条件（示例）。",
            joint=joint, joint_partner=G60_OFFICE if joint else "", department=self.tech.department)
        if fate == "draft":
            return
        challenges.do_publish_challenge(challenge, acting_user=self.tech)
        scored = [(app, a[-1]) for a in applications if (app := self.apply(challenge, *a)) is not None]
        apps = [app for app, _ in scored]
        if fate == "open" or not apps:
            return
        challenge = challenges.do_start_review(Challenge.objects.get(pk=challenge.pk), acting_user=self.tech)
        if self.expert is not None:
            fresh = Application.objects.select_related("challenge").in_bulk([a.pk for a in apps])
            for application, scores in scored:
                named = {c["name"]: s for c, s in zip(criteria, scores, strict=True)}
                challenges.do_review(fresh[application.pk], named, acting_user=self.expert,
                                     comment="技术路线清晰，团队基础扎实（示例评审意见）。")
                self.created["专家评审"] += 1
        if not awarded:
            return
        started = self.today - dt.timedelta(days={"active": 240, "accepted": 420, "transferred": 400}[fate])
        self.backdate(challenge, started)  # a project does not begin before its call was published
        project = challenges.do_award(Challenge.objects.get(pk=challenge.pk), apps[0], acting_user=self.tech,
                                      starts_on=started)
        self.created["联合攻关项目"] += 1
        self.milestones(project, fate)
        if fate in ("accepted", "transferred"):
            project = challenges.do_accept_joint_project(
                project, passed=True, on=self.today - dt.timedelta(days=30 if fate == "accepted" else 60),
                note="各项考核指标均已达到，经专家组验收通过（示例）。", acting_user=self.tech)
            self.created["已验收"] += 1
        if fate == "transferred":
            self.transfer(project)

    def apply(self, challenge, lead, members, proposal, months, budget, scores):
        from feidi.challenges import actions as challenges
        from feidi.challenges.models import Application

        org = self.org(lead)
        if org is None:
            return None
        partners = [m for m in (self.org(n) for n in members) if m is not None]
        application = Application(challenge=challenge, proposal=proposal, period_months=months,
                                  budget=Decimal(budget * 10_000), sample=True)
        if self.sjtu_user is not None and org.pk == self.sjtu_user.organization_id:
            application = challenges.do_apply(application, acting_user=self.sjtu_user, members=partners)
        else:  # institutions without a demo login: the operator records their paper application
            application.applicant, application.department_id = org, challenge.department_id
            application = create_object(application, acting_user=self.tech, m2m={"members": partners})
        self.created["揭榜申请"] += 1
        return application

    def backdate(self, challenge, started: dt.date) -> None:
        """The call of an awarded challenge closed before its project began (the actions ran today)."""
        from feidi.challenges.models import Challenge

        published = timezone.make_aware(dt.datetime.combine(started - dt.timedelta(days=75), dt.time(9, 30)))
        Challenge.objects.filter(pk=challenge.pk).update(deadline=started - dt.timedelta(days=30),
                                                         published_at=published)

    def milestones(self, project, fate: str) -> None:
        from feidi.challenges import actions as challenges

        for title, due, done in MILESTONES[fate]:
            m = challenges.do_add_milestone(project, title=title, due_on=self.today + dt.timedelta(days=due),
                                            acting_user=self.tech)
            if done is not None:
                challenges.do_complete_milestone(m, acting_user=self.tech, done_on=self.today + dt.timedelta(days=done))
            self.created["攻关节点"] += 1

    def transfer(self, project) -> None:
        """Link the accepted project to the 亥博 production project of the demo pipeline, as a staff
        member who holds the transfer permission and sees that project."""
        from feidi.challenges import actions as challenges
        from feidi.projects.models import Project

        home = Project.objects.filter(name="亥博光伏胶带国产化量产项目", sample=True).first()
        if home is None:
            return
        for user in User.objects.filter(is_active=True, organization__isnull=True).order_by("pk"):
            if not user.has_perm("challenges.transfer_jointproject"):
                continue
            try:
                challenges.do_mark_transferred(project, home, acting_user=user, on=self.today - dt.timedelta(days=20))
            except PermissionDenied:
                continue
            self.created["转化落地"] += 1
            return


def load() -> dict:
    """Load the first batch of challenges (idempotent); needs the demo market first."""
    from feidi.techmarket.models import Demand

    tech = User.objects.filter(username="tech", is_active=True).select_related("department").first()
    if tech is None or not Demand.objects.filter(sample=True, status=Demand.Status.PUBLISHED).exists():
        return {}
    expert = User.objects.filter(username="expert", is_active=True).first()
    with acting("cli"), transaction.atomic():
        loader = _Loader(tech, expert)
        loader.load()
    return {k: v for k, v in loader.created.items() if v}
