"""Demo industrial chains and investment pipeline of 上饶经开区. All invented records are sample (示例).

- The seven priority chains of the zone (SPEC §1.3) with their segments upstream → downstream,
  a few child segments, the zone's enterprises on the segments (from the "<链>产业链·<环节>环节"
  the demo city gives each synthetic enterprise), 链主 enterprises and weak thresholds. Four
  segments are left empty on purpose (gaps): 光伏·逆变器, 锂电·电解液, 生物医药·医疗器械 and
  低空经济·低空基础设施; the target list (招商目标库) names outside enterprises for them.
- About forty projects in every stage of 线索 → 洽谈 → 签约 → 开工 → 投产 → 达产 (two 终止),
  moved through ``do_transition_project`` on past business dates with the evidence each stage
  gate asks for (a tiny PDF marked as a sample), a few leads in the shared pool, one investment
  trip and the leads it produced, channels 外出招商/展会/以商招商/飞地转化/全民招商.
- Ten key projects (省/市/区重点) with linked leader, task force, this year's plan, monthly
  completed investment (some behind pace), milestones and problems (some overdue, some for the
  leadership), this week's dispatch with its decisions as tasks; then the alert rules run.

Facts from the seed articles (江西日报 2024-07-11 and 2025): 亥博新材料's photovoltaic tape
(国产替代, 落户量产), 翼空无人机低空经济产业园 and 浙江大学计算机创新研究院人工智能产业园 introduced
through the enclave, 溯徕科技 (华东数字医学工程研究院's Shanghai company). Their amounts, dates and
stages are invented. Every other investor name and every figure is synthetic.

Dates follow today's date (the pipeline is "this year"): business dates lie in the past, stage
records and the project log are dated on them. ``load()`` is idempotent: chains, segments,
members, target enterprises and targets are looked up by natural keys; the pipeline is loaded
once, when the zone has no sample project yet.
"""

from __future__ import annotations

import datetime as dt
import random
import re
from collections import Counter
from dataclasses import dataclass
from dataclasses import field
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from feidi.accounts.models import Department
from feidi.accounts.models import User
from feidi.chains.models import Chain
from feidi.chains.models import Segment
from feidi.chains.models import SegmentMember
from feidi.chains.models import Target
from feidi.core.context import acting
from feidi.projects.actions import do_attach_evidence
from feidi.projects.actions import do_hold_dispatch
from feidi.projects.actions import do_save_project
from feidi.projects.actions import do_transition_project
from feidi.projects.actions import evaluate_alerts
from feidi.projects.actions import gate_for
from feidi.projects.models import FLOW
from feidi.projects.models import Channel
from feidi.projects.models import KeyLevel
from feidi.projects.models import Problem
from feidi.projects.models import Project
from feidi.projects.models import ProjectEvent
from feidi.projects.models import Stage
from feidi.projects.models import StageRecord
from feidi.registry.models import Organization
from feidi.registry.models import Person
from feidi.registry.models import Residency
from feidi.registry.models import Zone

from . import build
from .city import DEPT_ETDZ
from .city import DEPT_TECH
from .city import ENCLAVE_G60_A
from .city import ENCLAVE_TECH
from .city import ORG_JINKO
from .city import SEED_2024
from .city import SEED_2025
from .city import ZONE_ETDZ
from .city import _Gen

D = dt.date
YI = Decimal(100_000_000)
WAN = Decimal(10_000)
S = Stage


def yi(value) -> Decimal:
    return (Decimal(str(value)) * YI).quantize(Decimal("1"))


# --- Chains ---------------------------------------------------------------------------------------
@dataclass
class ChainSpec:
    name: str
    weak_enterprises: int
    weak_output_yi: int
    yuan_per_head_wan: tuple[int, int]  # declared output per employee (万元), manufacturing
    master_segment: str  # where the 链主 sits when no real enterprise is named for it
    description: str
    segments: list[tuple[str, str, list[tuple[str, str]]]]  # name, description, children


CHAINS = [
    ChainSpec("光伏", 3, 5, (180, 320), "组件",
              "上饶经开区首位产业。晶科能源为链主企业，长三角G60科创走廊(上饶)科技合作产业园A区以光伏补链为重点。",
              [("硅片", "单晶拉棒、切片", []),
               ("电池片", "N型TOPCon、钙钛矿叠层等高效电池", []),
               ("组件", "光伏组件封装", []),
               ("配套辅材", "封装材料、胶带、边框、逆变器等", [
                   ("封装胶膜", "EVA/POE胶膜、光伏胶带"), ("边框与支架", "铝边框、支架"),
                   ("逆变器", "组串式/集中式逆变器、储能变流器")]),
               ("应用", "光伏电站开发与运营", [])]),
    ChainSpec("锂电新能源", 2, 5, (150, 260), "电芯",
              "锂电池材料、电芯到储能应用与回收的全链条。",
              [("原材料", "锂盐、正负极材料、电解液", [("电解液", "电解液及添加剂")]),
               ("零配件", "隔膜、壳体与盖板等精密结构件", []),
               ("电芯", "动力与储能电芯", []),
               ("应用端", "储能系统、电源", []),
               ("回收端", "退役电池回收与梯次利用", [])]),
    ChainSpec("新能源汽车", 2, 5, (100, 200), "整车",
              "整车、三电系统、零部件、汽车电子与充换电。",
              [("整车", "新能源乘用车、专用车", []), ("三电系统", "电池系统、电机、电控", []),
               ("零部件", "车身、底盘、压铸件", []), ("汽车电子", "智能网联、车载电子", []),
               ("充换电", "充电桩、换电站", [])]),
    ChainSpec("光学", 2, 2, (60, 120), "光学元件",
              "光学材料、元件、镜头模组到整机应用（新光电）。",
              [("光学材料", "光学玻璃、晶体材料", []), ("光学元件", "透镜、棱镜、滤光片", []),
               ("镜头模组", "手机、车载、安防镜头与模组", []), ("整机应用", "机器视觉、光电仪器", [])]),
    ChainSpec("电子信息", 2, 3, (60, 140), "显示与终端",
              "电子元器件、电路板、显示与终端、软件与数据。",
              [("电子元器件", "被动元件、功率器件", []), ("电路板", "PCB、FPC", []),
               ("显示与终端", "显示模组、通信终端", []), ("软件与数据", "软件、大数据、人工智能", [])]),
    ChainSpec("生物医药", 2, 2, (80, 160), "制剂",
              "原料药、制剂、医疗器械与研发服务；华东数字医疗发展中心带动智慧医疗器械。",
              [("原料药", "化学原料药、中间体", []), ("制剂", "化学制剂、中成药", []),
               ("医疗器械", "智慧医疗器械、影像与诊断设备", []), ("研发服务", "CRO/CDMO", [])]),
    ChainSpec("低空经济", 2, 1, (50, 120), "整机制造",
              "无人机与通航整机、零部件与飞控、运营服务，向起降设施延伸。",
              [("整机制造", "工业级无人机、eVTOL", []), ("零部件与飞控", "动力、飞控、任务载荷", []),
               ("运营服务", "低空物流、巡检、培训", []), ("低空基础设施", "起降场、飞行服务站、低空空管", [])]),
]

# An enterprise described as "<chain>产业链·<segment>环节" goes on a child segment when its name says so.
CHILD_BY_KEYWORD = {
    ("光伏", "配套辅材"): [("封装材料", "封装胶膜"), ("金属制品", "边框与支架")],
}
# Enterprises the seed articles name: chain, segments, 链主?, declared output per segment (亿元), note.
NAMED_MEMBERS = [
    (ORG_JINKO, "光伏", [("电池片", 260), ("组件", 380)], True, "链主企业；申报产值为示例"),
    ("上海亥博粘胶材料有限公司", "光伏", [("封装胶膜", 3.2)], False, f"光伏胶带国产替代、在上饶落户量产（{SEED_2025}）"),
    ("苏州弘道新材料有限公司", "光伏", [("配套辅材", 1.8)], False, f"已落户G60科技合作产业园（{SEED_2024}）"),
    ("翼空无人机科技(江西)有限公司", "低空经济", [("整机制造", 2.6)], True, "链主企业（示例）"),
    ("江西金丰药业有限公司", "生物医药", [("制剂", 4.5)], False, ""),
]
CHAIN_LEADER_TITLE = "上饶经开区管委会主任（示例）"
DESCRIPTION = re.compile(r"^(?P<chain>[^·（]+)产业链·(?P<segment>[^·（]+)环节")


# --- Targets: outside enterprises for the gaps (synthetic names and credit codes) ----------------
@dataclass
class TargetSpec:
    key: str
    segment: str  # "链·环节"
    place: str
    region: str
    region_code: str
    keyword: str
    industry_code: str
    priority: str
    status: str
    reason: str


TARGETS = [
    TargetSpec("inverter_sz", "光伏·逆变器", "深圳", "广东省深圳市", "440300", "电源科技", "C3824", "high", "lead",
               "补链：经开区组件产能超过百亿元，逆变器全部外购；该企业组串式逆变器出货量居行业前列，计划在华东布局第二生产基地。"),
    TargetSpec("inverter_hf", "光伏·逆变器", "合肥", "安徽省合肥市", "340100", "电气", "C3824", "medium", "new",
               "补链：储能变流器与逆变器，可与经开区储能系统集成企业配套。"),
    TargetSpec("electrolyte_nd", "锂电新能源·电解液", "宁德", "福建省宁德市", "350900", "新材料", "C2669", "high", "lead",
               "补链：电解液为锂电原材料环节的空白，本地电芯企业全部外购；该企业为头部电池厂配套，正在寻找靠近客户的新基地。"),
    TargetSpec("electrolyte_cz", "锂电新能源·电解液", "常州", "江苏省常州市", "320400", "化学材料", "C2669", "medium",
               "lead", "补链：电解液及添加剂；以商招商，由经开区电芯企业推荐。"),
    TargetSpec("electrolyte_zjg", "锂电新能源·电解液", "张家港", "江苏省苏州市张家港市", "320582", "新能源材料", "C2669",
               "medium", "new", "补链：锂盐与电解液一体化布局，可利用经开区碳酸锂产能就近配套。"),
    TargetSpec("device_hz", "生物医药·医疗器械", "杭州", "浙江省杭州市", "330100", "医疗设备", "C3581", "medium", "new",
               "补链：内窥镜与微创手术器械；与上饶科创(人才)中心在孵项目有合作基础。"),
    TargetSpec("device_sz", "生物医药·医疗器械", "苏州", "江苏省苏州市", "320500", "医疗科技", "C3581", "high", "lead",
               "补链：医疗器械环节空白；与华东数字医疗发展中心的智慧医疗器械方向契合，可承接飞地研发成果产业化。"),
    TargetSpec("device_szn", "生物医药·医疗器械", "深圳", "广东省深圳市", "440300", "医疗器械", "C3581", "medium",
               "lead", "补链：体外诊断试剂与仪器；在医疗器械博览会上对接后转为线索。"),
    TargetSpec("lowalt_sz", "低空经济·低空基础设施", "深圳", "广东省深圳市", "440300", "低空科技", "I6520", "high", "lead",
               "延链：起降场、飞行服务站与低空空管系统建设运营，带动翼空等整机企业的应用场景。"),
    TargetSpec("lowalt_cd", "低空经济·低空基础设施", "成都", "四川省成都市", "510100", "通航科技", "G5622", "low", "new",
               "延链：通航机场与飞行服务站运营经验丰富，可作为备选合作方。"),
    TargetSpec("lens_nb", "光学·镜头模组", "宁波", "浙江省宁波市", "330200", "光电科技", "C4040", "medium", "contacted",
               "强链：镜头模组环节仅1家企业；该企业车载镜头模组产能紧张，有意在中部设厂。"),
    TargetSpec("flight_xa", "低空经济·零部件与飞控", "西安", "陕西省西安市", "610100", "航空科技", "C3744", "low", "dropped",
               "强链：飞控与任务载荷。对方已决定在西安本地扩产，暂不外迁（放弃）。"),
]


# --- Projects ---------------------------------------------------------------------------------
@dataclass
class ProblemSpec:
    kind: str
    description: str
    department: str
    deadline: int  # days from today (negative: past)
    needs_leadership: bool = False
    solved: int | None = None  # days from today when solved
    resolution: str = ""


@dataclass
class ProjectSpec:
    key: str
    name: str
    segment: str  # "链·环节"
    stage: str
    channel: str
    investor: str  # "org:<registry name>" | "member:<链·环节>" | "target:<key>" | "new:<place>:<keyword>"
    code: str
    planned: float  # 亿元
    signed: float | None = None
    fixed: float | None = None
    last: int = 30  # days ago the project entered its current stage
    via: str = ""  # the stage a terminated project had reached
    reason: str = ""  # why it was terminated
    pool: bool = False  # a lead nobody owns (公海)
    trip: bool = False
    incubated: str = ""  # "org:<name>" or "chain:<链>": the enclave residency it comes from
    zone: str = ZONE_ETDZ
    key_level: str = ""
    pace: float = 1.1  # completed investment this year against the plan's pace
    late: bool = False  # a milestone past due
    problems: list[ProblemSpec] = field(default_factory=list)
    description: str = ""


P = ProblemSpec
PROJECTS = [
    # 达产
    ProjectSpec("haibo", "亥博光伏胶带国产化量产项目", "光伏·封装胶膜", S.FULL, Channel.ENCLAVE,
                "org:上海亥博粘胶材料有限公司", "C2929", 5, 3.5, 4.2, last=95, zone=ENCLAVE_G60_A,
                description=f"光伏胶带实现国产替代并在上饶落户量产（{SEED_2025}）。金额、日期为示例。"),
    ProjectSpec("jinko", "N型TOPCon高效电池片技改项目", "光伏·电池片", S.FULL, Channel.INVESTOR, f"org:{ORG_JINKO}",
                "C3825", 36, 30, 28, last=160, description="链主企业增资扩产（项目内容、金额、日期均为示例）。"),
    ProjectSpec("storage", "20GWh储能系统集成扩产项目", "锂电新能源·应用端", S.FULL, Channel.INVESTOR,
                "member:锂电新能源·应用端", "C3841", 22, 20, 16, last=60),
    # 投产
    ProjectSpec("lithium", "年产3万吨电池级碳酸锂项目", "锂电新能源·原材料", S.PRODUCING, Channel.INVESTOR,
                "member:锂电新能源·原材料", "C2613", 28, 25, 21, last=75, key_level=KeyLevel.CITY, pace=1.08,
                problems=[P("approval", "二期技改项目环评批复待省生态环境厅审查", "项目办", -60, solved=-66,
                            resolution="帮办专员全程对接，已取得环评批复。")]),
    ProjectSpec("vision", "机器视觉整机及核心部件产线项目", "光学·整机应用", S.PRODUCING, Channel.REFERRAL,
                "member:光学·整机应用", "C3976", 6.5, 6, 5, last=40),
    ProjectSpec("casting", "新能源汽车一体化压铸件项目", "新能源汽车·零部件", S.PRODUCING, Channel.TRIP,
                "new:常州:汽车部件", "C3670", 12, 12, 9.5, last=130),
    ProjectSpec("zju_ai", "浙江大学计算机创新研究院人工智能产业园", "电子信息·软件与数据", S.STARTED, Channel.ENCLAVE,
                "org:浙江大学计算机创新研究院", "I6520", 10, 10, 6, last=240, key_level=KeyLevel.CITY, pace=1.12,
                description=f"经科创飞地引进（{SEED_2025}）。投资方主体、金额、进度为示例。",
                problems=[P("factor", "算力中心双回路供电接入方案待供电公司批复", "经济发展局", 15)]),
    # 开工
    ProjectSpec("yikong", "翼空无人机低空经济产业园", "低空经济·整机制造", S.STARTED, Channel.ENCLAVE,
                "org:翼空无人机科技(江西)有限公司", "C3749", 15, 15, 11, last=200, key_level=KeyLevel.CITY, pace=1.05,
                description=f"经科创飞地引进（{SEED_2025}）。金额、进度为示例。",
                problems=[P("approval", "无人机试飞空域申请需协调民航与空管部门", "党政办", -10, needs_leadership=True)]),
    ProjectSpec("cells", "年产10GW N型TOPCon电池片项目", "光伏·电池片", S.STARTED, Channel.FAIR,
                "new:苏州:光伏科技", "C3825", 55, 50, 42, last=330, key_level=KeyLevel.PROVINCE, pace=1.15,
                problems=[P("factor", "项目年综合能耗约2万吨标准煤，用能指标需省级统筹", "经济发展局", 20,
                            needs_leadership=True),
                          P("construction", "厂区北侧道路未贯通，影响大型设备进场", "项目办", -75, solved=-80,
                            resolution="临时便道已修通，设备已进场。")]),
    ProjectSpec("battery", "年产20GWh动力电池项目", "锂电新能源·电芯", S.STARTED, Channel.TRIP,
                "new:宁德:动力电池", "C3841", 120, 100, 90, last=260, key_level=KeyLevel.PROVINCE, pace=0.62,
                late=True,
                problems=[P("factor", "110kV专用变电站配套线路建设滞后，影响设备调试", "经济发展局", -12,
                            needs_leadership=True),
                          P("funding", "项目银团贷款第二笔提款审批未完成", "经济发展局", 10)]),
    ProjectSpec("lens", "车载高端镜头模组项目", "光学·镜头模组", S.STARTED, Channel.INVESTOR,
                "new:宁波:光电科技", "C4040", 8, 8, 6, last=180, key_level=KeyLevel.DISTRICT, pace=1.04,
                problems=[P("other", "投产前一线操作工招聘缺口约150人", "安商办", 25)]),
    ProjectSpec("edrive", "新能源汽车电驱电控系统项目", "新能源汽车·三电系统", S.STARTED, Channel.REFERRAL,
                "new:无锡:电驱科技", "C3812", 9, 9, 7, last=150, key_level=KeyLevel.DISTRICT, pace=0.58,
                problems=[P("funding", "投资方二期资金到位滞后，影响设备采购", "招商局", -5)]),
    ProjectSpec("pcb", "高多层印制电路板项目", "电子信息·电路板", S.STARTED, Channel.TRIP,
                "new:深圳:电路科技", "C3982", 32, 30, 26, last=290, key_level=KeyLevel.CITY, pace=1.02, late=True,
                problems=[P("construction", "废水处理站环评与排污许可办理滞后，影响一期投产", "项目办", -20,
                            needs_leadership=True)]),
    ProjectSpec("structure", "动力电池精密结构件扩产项目", "锂电新能源·零配件", S.STARTED, Channel.INVESTOR,
                "member:锂电新能源·零配件", "C3399", 6, 6, 5, last=120, key_level=KeyLevel.DISTRICT, pace=1.1,
                problems=[P("approval", "新建厂房消防设计审查", "项目办", -40, solved=-45, resolution="已通过消防设计审查。")]),
    # 签约
    ProjectSpec("suolai", "溯徕科技智慧医疗器械产业化项目", "生物医药·医疗器械", S.SIGNED, Channel.ENCLAVE,
                "org:溯徕科技(上海)有限公司", "C3581", 5, 5, 3.5, last=150, incubated="org:溯徕科技(上海)有限公司",
                key_level=KeyLevel.DISTRICT, pace=0.2, late=True,
                description=f"研发孵化在上饶科创(人才)中心，转移转化在上饶（{SEED_2024}）。项目内容、金额、进度为示例。",
                problems=[P("approval", "施工许可证办理需补齐施工图审查意见", "项目办", -8),
                          P("factor", "项目用地约12亩尚未完成征迁交地", "党政办", 30, needs_leadership=True)]),
    ProjectSpec("electrolyte", "年产5万吨锂电池电解液项目", "锂电新能源·电解液", S.SIGNED, Channel.INVESTOR,
                "target:electrolyte_cz", "C2669", 12, 12, 9, last=35),
    ProjectSpec("inverter", "光伏逆变器及储能变流器项目", "光伏·逆变器", S.SIGNED, Channel.FAIR,
                "new:深圳:电气科技", "C3824", 10, 10, 7, last=70),
    ProjectSpec("frame", "光伏组件铝边框项目", "光伏·边框与支架", S.SIGNED, Channel.INVESTOR,
                "new:无锡:金属科技", "C3311", 4, 4, 3, last=110),
    ProjectSpec("display", "新型显示模组项目", "电子信息·显示与终端", S.SIGNED, Channel.FAIR,
                "new:厦门:显示科技", "C3974", 18, 16, 13, last=200),
    ProjectSpec("cdmo", "生物药CDMO研发服务平台项目", "生物医药·研发服务", S.SIGNED, Channel.REFERRAL,
                "new:上海:生物科技", "M7340", 3, 3, 2, last=20),
    ProjectSpec("flight", "无人机飞控与任务载荷研发生产项目", "低空经济·零部件与飞控", S.SIGNED, Channel.TRIP,
                "new:深圳:飞控技术", "C3990", 3.5, 3.5, 2.5, last=260),
    ProjectSpec("adas", "智能网联汽车电子项目", "新能源汽车·汽车电子", S.SIGNED, Channel.REFERRAL,
                "new:杭州:智能网联", "C3670", 7, 6, 5, last=300),
    # 洽谈
    ProjectSpec("vertiport", "低空飞行服务站及起降场建设运营项目", "低空经济·低空基础设施", S.NEGOTIATING, Channel.TRIP,
                "target:lowalt_sz", "I6520", 6, last=25, trip=True),
    ProjectSpec("imaging", "医学影像设备生产基地项目", "生物医药·医疗器械", S.NEGOTIATING, Channel.TRIP,
                "target:device_sz", "C3581", 8, last=22, trip=True),
    ProjectSpec("recycle", "退役锂电池回收及梯次利用项目", "锂电新能源·回收端", S.NEGOTIATING, Channel.REFERRAL,
                "new:佛山:资源循环", "C4210", 9, last=45),
    ProjectSpec("tracker", "光伏支架及跟踪系统项目", "光伏·边框与支架", S.NEGOTIATING, Channel.FAIR,
                "new:常州:支架科技", "C3311", 5, last=60),
    ProjectSpec("power_dev", "车规级功率器件封测项目", "电子信息·电子元器件", S.NEGOTIATING, Channel.NEWS,
                "new:无锡:半导体", "C3973", 20, last=80),
    ProjectSpec("coating", "光学镀膜材料项目", "光学·光学材料", S.NEGOTIATING, Channel.REFERRAL,
                "new:福州:光学材料", "C3985", 3, last=50),
    ProjectSpec("swap", "新能源汽车换电设备项目", "新能源汽车·充换电", S.NEGOTIATING, Channel.INVESTOR,
                "new:杭州:换电科技", "C3821", 4, last=35),
    ProjectSpec("perovskite", "钙钛矿叠层电池中试线项目", "光伏·电池片", S.NEGOTIATING, Channel.ENCLAVE,
                "new:上海:光能科技", "C3825", 6, last=40, incubated="chain:光伏",
                description="在上饶科创(人才)中心孵化的团队回上饶建设中试线（示例）。"),
    # 线索
    ProjectSpec("additive", "电解液添加剂项目", "锂电新能源·电解液", S.LEAD, Channel.TRIP, "target:electrolyte_nd",
                "C2669", 6, trip=True),
    ProjectSpec("string_inv", "组串式逆变器生产基地项目", "光伏·逆变器", S.LEAD, Channel.TRIP, "target:inverter_sz",
                "C3824", 15, trip=True),
    ProjectSpec("evtol", "eVTOL整机研发制造项目", "低空经济·整机制造", S.LEAD, Channel.TRIP, "new:深圳:航空科技",
                "C3749", 25, trip=True),
    ProjectSpec("ivd", "体外诊断试剂及仪器项目", "生物医药·医疗器械", S.LEAD, Channel.FAIR, "target:device_szn",
                "C3581", 4),
    ProjectSpec("alu", "汽车轻量化铝合金部件项目", "新能源汽车·零部件", S.LEAD, Channel.INVESTOR, "new:宁波:汽车部件",
                "C3670", 5),
    ProjectSpec("pv_station", "分布式光伏电站开发项目", "光伏·应用", S.LEAD, Channel.REFERRAL, "new:杭州:清洁能源",
                "D4416", 3, pool=True),
    ProjectSpec("anode", "锂电池负极材料项目", "锂电新能源·原材料", S.LEAD, Channel.NEWS, "new:长沙:新材料",
                "C3985", 10, pool=True),
    ProjectSpec("compute", "智算中心及算力服务项目", "电子信息·软件与数据", S.LEAD, Channel.REFERRAL,
                "new:上海:数据科技", "I6450", 8, pool=True),
    # 终止
    ProjectSpec("hjt", "年产2GW异质结电池项目", "光伏·电池片", S.TERMINATED, Channel.FAIR, "new:合肥:光电能源", "C3825",
                12, last=100, via=S.NEGOTIATING,
                reason="投资方资金链紧张，暂停新建产能计划，经双方协商终止洽谈。"),
    ProjectSpec("separator", "锂电池湿法隔膜项目", "锂电新能源·零配件", S.TERMINATED, Channel.TRIP, "new:深圳:隔膜科技",
                "C2921", 15, 15, 11, last=55, via=S.SIGNED,
                reason="投资方调整全国产能布局，项目转至他地；双方已书面解除投资协议。"),
]

# Days between entering the previous stage and entering this one (drawn within the range).
STAGE_GAPS = {S.NEGOTIATING: (15, 60), S.SIGNED: (30, 110), S.STARTED: (30, 120), S.PRODUCING: (200, 400),
              S.FULL: (90, 200), S.TERMINATED: (30, 90)}

TRIP_DAYS_AGO = 45
TRIP_DESTINATION = "广东深圳、福建宁德、江苏苏州"
TRIP_VISITS = ("inverter_sz", "lowalt_sz", "electrolyte_nd", "device_sz")  # targets met on the trip

# Decisions of this week's dispatch: project key, decision, owner department, owner username, days to deadline.
DECISIONS = [
    ("battery", "项目办牵头，会同经济发展局、供电公司两周内明确110kV专用线路建成时间节点，倒排工期报下周调度会。",
     "项目办", "project", 14),
    ("edrive", "招商局对接投资方总部，督促二期资金本月底前到位，确保设备采购合同按期签订。", "招商局", "invest", 10),
    ("lens", "安商办协调人社部门及本地职业院校，为项目定向招聘一线操作工150人。", "安商办", "service", 21),
]


def _pdf(title: str) -> bytes:
    """A tiny, valid one-page PDF saying it is a demo sample (ASCII only, no fonts embedded)."""
    text = f"Feidi demo sample evidence - not a real document. {title}".encode("ascii", "replace")
    stream = b"BT /F1 12 Tf 72 760 Td (" + text.replace(b"(", b"[").replace(b")", b"]") + b") Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{i} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def _at(day: dt.date, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(9, 30)) + dt.timedelta(minutes=minute))


# outside enterprises registered for the target list, counted apart from the city's 单位
TARGET_ORG = build.organization.counted("目标企业")


# --- Loading ------------------------------------------------------------------------------------
class _Loader:
    def __init__(self, dept: Department, zone: Zone, users: dict[str, User]):
        self.dept, self.zone, self.users = dept, zone, users
        self.today = timezone.localdate()
        self.rng = random.Random(2026)
        self.gen = _Gen(random.Random(20261))
        self.created: Counter[str] = Counter()
        self.segments: dict[str, Segment] = {}  # "链·环节"
        self.targets: dict[str, Target] = {}
        self.depts = {d.name: d for d in Department.objects.filter(path__startswith=dept.path)}

    # chains -------------------------------------------------------------------------------------
    def chains(self) -> None:
        project, leader = self.users["project"], self.users["leader"]
        for order, spec in enumerate(CHAINS, start=1):
            chain = build.chain.ensure(
                self.created, acting_user=project, name=spec.name, order=order, leader=leader,
                leader_title=CHAIN_LEADER_TITLE, weak_enterprises=spec.weak_enterprises,
                weak_output=yi(spec.weak_output_yi), description=spec.description + "链长、薄弱阈值为示例。",
                department=self.dept)
            n = 0
            for name, description, children in spec.segments:
                n += 10
                parent = self.segment(chain, name, description, n, None)
                for i, (child, child_description) in enumerate(children, start=1):
                    self.segment(chain, child, child_description, n + i, parent)

    def segment(self, chain: Chain, name: str, description: str, order: int, parent: Segment | None) -> Segment:
        seg = build.segment.ensure(self.created, acting_user=self.users["project"], chain=chain, name=name,
                                   description=description, order=order, parent=parent)
        self.segments[f"{chain.name}·{name}"] = seg
        return seg

    def members(self) -> None:
        """The zone's enterprises (and the G60 park's A区) on the segments their description names."""
        have = build.member.existing(segment__in=self.segments.values())
        zones = [ZONE_ETDZ, ENCLAVE_G60_A]
        orgs = list(Organization.objects.filter(zone__name__in=zones, kind=Organization.Kind.ENTERPRISE)
                    .order_by("uscc"))
        rates = {c.name: c.yuan_per_head_wan for c in CHAINS}
        seats: list[tuple[Organization, str, Decimal, bool, str]] = []  # org, "链·环节", output, master, note
        for org in orgs:
            m = DESCRIPTION.match(org.description or "")
            if not m or m["chain"] not in rates:
                continue
            chain, seg = m["chain"], m["segment"]
            for keyword, child in CHILD_BY_KEYWORD.get((chain, seg), []):
                if keyword in org.name:
                    seg = child
                    break
            rng = random.Random(f"{org.uscc}:{chain}")  # per enterprise: independent of the order
            low, high = rates[chain]
            per_head = rng.randint(low, high) * (1 if (org.industry_code or "").startswith("C") else 0.3)
            output = (Decimal(org.employees or 50) * Decimal(str(per_head)) * WAN / 100 / WAN).quantize(
                Decimal("1")) * 100 * WAN  # rounded to 100万元
            seats.append((org, f"{chain}·{seg}", output, False, ""))
        by_name = {o.name: o for o in Organization.objects.filter(name__in=[n[0] for n in NAMED_MEMBERS])}
        for name, chain, segs, master, note in NAMED_MEMBERS:
            if name in by_name:
                for seg, output in segs:
                    seats.append((by_name[name], f"{chain}·{seg}", yi(output), master, note))
        # 链主 of the chains without a named one: the biggest enterprise on the chain's core segment.
        named_masters = {chain for _, chain, _, master, _ in NAMED_MEMBERS if master}
        masters = {}
        for spec in CHAINS:
            if spec.name in named_masters:
                continue
            core = [s for s in seats if s[1] == f"{spec.name}·{spec.master_segment}"]
            if core:
                masters[spec.name] = max(core, key=lambda s: (s[0].employees or 0, s[0].uscc))[0].pk
        investor = self.users["invest"]
        for org, key, output, master, note in seats:
            seg = self.segments.get(key)
            if seg is None or (seg.pk, org.pk) in have:
                continue
            chain = key.split("·")[0]
            if master or masters.get(chain) == org.pk:
                role = SegmentMember.Role.MASTER
            elif (org.employees or 0) >= 500:
                role = SegmentMember.Role.BACKBONE
            else:
                role = SegmentMember.Role.SUPPORTING
            build.member.make(self.created, acting_user=investor, segment=seg, organization=org, role=role,
                              declared_output=output, note=note or "申报产值为示例")
            have.add((seg.pk, org.pk))

    def target_orgs(self) -> None:
        """Outside enterprises on the target list, registered with synthetic credit codes."""
        specs = []
        for t in TARGETS:  # drawn in a fixed order: the same names and codes on every run
            name = self.gen.company(t.place, t.keyword, "partner")
            specs.append((t, name, self.gen.uscc(t.region_code)))
        existing = Organization.objects.in_bulk([code for _, _, code in specs], field_name="uscc")
        investor = self.users["invest"]
        for t, name, code in specs:
            org = existing.get(code)
            if org is None:
                legal, _ = self.gen.person()
                org = TARGET_ORG.make(
                    self.created, acting_user=investor, name=name, uscc=code, kind=Organization.Kind.ENTERPRISE,
                    industry_code=t.industry_code, region=t.region, legal_representative=legal,
                    department=self.dept, registered_capital=yi(random.Random(code).choice((0.5, 1, 2, 5, 10))),
                    description=f"招商目标企业（示例企业，{t.segment}）。名称、信用代码为合成数据。")
            else:
                self.gen.person()  # keep the draws in step
            self.targets[t.key] = build.target.ensure(
                self.created, acting_user=investor, segment=self.segments[t.segment], organization=org,
                reason=t.reason, priority=t.priority, status=t.status)

    # pipeline -----------------------------------------------------------------------------------
    def pipeline(self) -> None:
        invest, leader, project_user = self.users["invest"], self.users["leader"], self.users["project"]
        today = self.today
        officials = {}
        for name, dept in Person.objects.filter(kind=Person.Kind.OFFICIAL, department__isnull=False).order_by(
                "pk").values_list("name", "department__name"):
            officials.setdefault(dept, []).append(name)
        trip = build.trip.make(
            self.created, acting_user=invest,
            action={"m2m": {"members": [invest, project_user], "organizations": [
                self.targets[k].organization for k in TRIP_VISITS if k in self.targets]}},
            set_out_on=today - dt.timedelta(days=TRIP_DAYS_AGO),
            return_on=today - dt.timedelta(days=TRIP_DAYS_AGO - 4), destination=TRIP_DESTINATION, leader=leader,
            purpose="围绕光伏逆变器、锂电电解液、医疗器械、低空基础设施等缺链环节开展靶向招商",
            summary=f"走访目标企业{len(TRIP_VISITS)}家，形成线索{sum(1 for s in PROJECTS if s.trip)}条，"
                    "其中2条已进入实质洽谈（示例）。",
            department=self.dept)
        units = ["经济发展局", "安商办", "科技创新局", "党政办"]
        for i, spec in enumerate(PROJECTS):
            self.project(spec, i, trip, officials, units)

    def _investor(self, spec: ProjectSpec) -> tuple[str, Organization | None]:
        kind, _, rest = spec.investor.partition(":")
        if kind == "org":
            org = Organization.objects.filter(name=rest).first()
            return rest, org
        if kind == "member":
            seg = self.segments.get(rest)
            member = (SegmentMember.objects.filter(segment=seg).select_related("organization")
                      .order_by("-organization__employees", "organization__uscc").first()) if seg else None
            if member:
                return member.organization.name, member.organization
            rest = "上饶:" + rest.split("·")[-1]
        if kind == "target" and rest in self.targets:
            org = self.targets[rest].organization
            return org.name, org
        place, _, keyword = rest.partition(":")
        return self.gen.company(place, keyword or "科技", "partner"), None

    def _incubated(self, spec: ProjectSpec) -> Residency | None:
        kind, _, rest = spec.incubated.partition(":")
        residents = Residency.objects.filter(enclave__name=ENCLAVE_TECH, status=Residency.Status.RESIDENT)
        if kind == "org":
            return residents.filter(organization__name=rest).first()
        if kind == "chain":
            return residents.filter(organization__description__startswith=f"{rest}产业链").order_by(
                "organization__uscc").first()
        return None

    def _dates(self, spec: ProjectSpec) -> list[tuple[str, dt.date]]:
        """The stages the project walks through, each with its business date (oldest first)."""
        if spec.stage == S.TERMINATED:
            path = [*FLOW[: FLOW.index(spec.via) + 1], S.TERMINATED]
        else:
            path = FLOW[: FLOW.index(spec.stage) + 1]
        if spec.trip:
            back = self.today - dt.timedelta(days=TRIP_DAYS_AGO - 5)
            first = back + dt.timedelta(days=self.rng.randint(0, 3))
            later = [self.today - dt.timedelta(days=spec.last)] if len(path) > 1 else []
            return list(zip(path, [first, *later], strict=True))
        if len(path) == 1:
            days = self.rng.randint(5, 25)
            return [(path[0], self.today - dt.timedelta(days=days))]
        day = self.today - dt.timedelta(days=spec.last)
        dates = [day]
        for stage in reversed(path[1:]):
            low, high = STAGE_GAPS[stage]
            day = day - dt.timedelta(days=self.rng.randint(low, high))
            dates.append(day)
        return list(zip(path, reversed(dates), strict=True))

    def project(self, spec: ProjectSpec, i: int, trip, officials: dict, units: list[str]) -> None:
        invest, project_user = self.users["invest"], self.users["project"]
        investor, org = self._investor(spec)
        segment = self.segments.get(spec.segment)
        zone = Zone.objects.filter(name=spec.zone).first() or self.zone
        if spec.channel == Channel.REFERRAL:
            unit = units[i % len(units)]
        elif spec.channel == Channel.ENCLAVE:
            unit = DEPT_TECH
        else:
            unit = "招商局"
        names = officials.get(unit) or [invest.full_name]
        # 谁引进、谁负责: the officer who brought it (the 招商局 user herself for half of the trips and fairs).
        if spec.channel in (Channel.TRIP, Channel.FAIR) and i % 2:
            introducer = invest.full_name
        else:
            introducer = names[i % len(names)]
        unit_dept = self.depts.get(unit) or Department.objects.filter(name=unit).first()
        dates = self._dates(spec)
        stamps: list[dt.date] = [dates[0][1]]  # the business date of each event the actions write
        p = build.project.make(
            self.created, acting_user=invest, name=spec.name, zone=zone, investor=investor, organization=org,
            segment=segment, industry_code=spec.code, channel=spec.channel, introducer_department=unit_dept,
            introducer=introducer, owner=None if spec.pool else invest, planned_investment=yi(spec.planned),
            trip=trip if spec.trip else None, incubated_from=self._incubated(spec) if spec.incubated else None,
            description=spec.description or f"{spec.segment.replace('·', '产业链·')}环节项目（示例）。")
        for stage, on in dates[1:]:
            if stage == S.SIGNED:
                p.signed_amount = yi(spec.signed or spec.planned)
                p = do_save_project(p, acting_user=invest)
            if stage == S.STARTED:
                p.fixed_asset_investment = yi(spec.fixed or spec.planned * 0.8)
                p = do_save_project(p, acting_user=invest)
            gate = gate_for(p, stage)
            roles = {r.code for r in gate.roles.all()} if gate else set()
            actor = invest if not roles or "investment" in roles else project_user
            for kind in (gate.required_evidence or []) if gate else []:
                if not p.files.filter(kind=kind).exists():
                    upload = SimpleUploadedFile(f"{kind}-示例.pdf", _pdf(f"{spec.key} {stage} {on:%Y-%m-%d}"),
                                                content_type="application/pdf")
                    do_attach_evidence(p, kind, upload, acting_user=actor)
                    stamps.append(on)
                    self.created["佐证材料"] += 1
            p = do_transition_project(p, stage, acting_user=actor, on=on,
                                      note=spec.reason if stage == S.TERMINATED else "")
            stamps.append(on)
            if stage == S.SIGNED and spec.key_level:
                p.refresh_from_db()
                p.is_key, p.key_level, p.leader = True, spec.key_level, self.users["leader"]
                task_force = [project_user, invest] + ([self.users["service"]] if spec.problems else [])
                p = do_save_project(p, acting_user=project_user, m2m={"task_force": task_force})
        self._backdate(p, stamps)
        if spec.key_level:
            self.key_parts(p, spec)

    def _backdate(self, p: Project, stamps: list[dt.date]) -> None:
        """Date the stage records and the log on the business dates (the actions stamp 'now')."""
        records = list(StageRecord.objects.filter(project=p).order_by("entered_at", "pk"))
        if records:
            records[0].entered_on = stamps[0]
            times = [_at(r.entered_on, i) for i, r in enumerate(records)]
            for r, at, nxt in zip(records, times, [*times[1:], None], strict=True):
                StageRecord.objects.filter(pk=r.pk).update(entered_on=r.entered_on, entered_at=at,
                                                           left_at=nxt if r.left_at else None)
            Project.objects.filter(pk=p.pk).update(stage_since=times[-1])
        events = list(ProjectEvent.objects.filter(project=p).order_by("pk").values_list("pk", flat=True))
        if len(events) == len(stamps):
            for i, (pk, day) in enumerate(zip(events, stamps, strict=True)):
                ProjectEvent.objects.filter(pk=pk).update(at=_at(day, i))

    def key_parts(self, p: Project, spec: ProjectSpec) -> None:
        """This year's plan, monthly completed investment, milestones and problems."""
        user, today, rng = self.users["project"], self.today, self.rng
        p.refresh_from_db()
        plan = (Decimal(str(spec.planned)) * Decimal(rng.choice(("0.25", "0.3", "0.35", "0.4"))) * YI).quantize(
            Decimal("1E6"))
        build.annual_plan.make(self.created, acting_user=user, project=p, year=today.year, planned_investment=plan)
        elapsed = today.month - 1
        start = p.started_on or p.signed_on
        first = start.month if start and start.year == today.year else 1
        if spec.stage == S.SIGNED:
            first = max(first, elapsed - 2)
        months = list(range(max(first, 1), elapsed + 1))
        if months:
            total = plan * elapsed / 12 * Decimal(str(spec.pace))
            weights = [Decimal(str(round(rng.uniform(0.6, 1.4), 2))) for _ in months]
            notes = self._progress_notes(spec, len(months))
            for m, w, note in zip(months, weights, notes, strict=True):
                amount = (total * w / sum(weights)).quantize(Decimal("1E4"))
                build.monthly_investment.make(self.created, acting_user=user, project=p, month=D(today.year, m, 1),
                                              amount=amount, note=note)
        for name, planned, actual in self._milestones(p, spec):
            build.milestone.make(self.created, acting_user=user, project=p, name=name, planned_on=planned,
                                 actual_on=actual)
        for pr in spec.problems:
            solved = today + dt.timedelta(days=pr.solved) if pr.solved is not None else None
            build.problem.make(
                self.created, acting_user=user, project=p, kind=pr.kind, description=pr.description,
                owner_department=self.depts.get(pr.department, self.dept),
                deadline=today + dt.timedelta(days=pr.deadline), needs_leadership=pr.needs_leadership,
                status=Problem.Status.SOLVED if solved else Problem.Status.OPEN, solved_on=solved,
                resolution=pr.resolution)

    @staticmethod
    def _progress_notes(spec: ProjectSpec, n: int) -> list[str]:
        if spec.stage == S.SIGNED:
            steps = ["土地款支付", "场地平整", "施工图设计"]
        elif spec.stage == S.PRODUCING:
            steps = ["设备安装调试", "试生产", "产线爬坡", "二期设备采购"]
        else:
            steps = ["桩基施工", "主体结构施工", "主体结构施工", "钢结构安装", "屋面及墙面施工", "设备基础施工",
                     "设备进场安装", "机电安装", "设备调试"]
        return [steps[min(i * len(steps) // max(n, 1), len(steps) - 1)] for i in range(n)]

    def _milestones(self, p: Project, spec: ProjectSpec) -> list[tuple[str, dt.date, dt.date | None]]:
        today, rng = self.today, self.rng
        day = dt.timedelta
        if spec.stage == S.SIGNED:
            signed = p.signed_on
            rows = [("完成土地摘牌", signed + day(30)), ("取得施工许可证", today - day(25)),
                    ("正式开工", today + day(30))]
        else:
            started = p.started_on
            span = ((p.produced_on or started + day(330)) - started).days
            rows = [("取得施工许可证", started - day(5)), ("主体结构封顶", started + day(span * 45 // 100)),
                    ("设备进场安装", started + day(span * 73 // 100)), ("竣工投产", started + day(span))]
            if p.produced_on:
                rows.append(("达产达标", p.produced_on + day(365)))
        out, behind = [], False
        for name, planned in rows:
            if planned >= today:
                out.append((name, planned, None))
            elif behind or (spec.late and planned >= today - day(90)):
                out.append((name, planned, None))  # past due and not done: raises an alert
                behind = True
            elif name == "竣工投产" and p.produced_on:
                out.append((name, planned, p.produced_on))
            else:
                out.append((name, planned, min(planned + day(rng.randint(-6, 8)), today)))
        return out

    def dispatch(self) -> None:
        user, today = self.users["project"], self.today
        monday = today - dt.timedelta(days=today.weekday())
        if build.dispatch.find(department=self.dept, week_start=monday):
            return
        week = monday.isocalendar()[1]
        d = build.dispatch.make(self.created, acting_user=user, week_start=monday,
                                title=f"{monday.year}年第{week}周重点项目调度会",
                                chaired_by=self.users["leader"].full_name, department=self.dept)
        by_name = {s.key: s.name for s in PROJECTS}
        for key, decision, unit, owner, days in DECISIONS:
            project = Project.objects.filter(department=self.dept, name=by_name[key], sample=True).first()
            if project is None:
                continue
            build.task.make(self.created, acting_user=user, dispatch=d, project=project, decision=decision,
                            owner_department=self.depts.get(unit, self.dept), owner=self.users[owner],
                            deadline=today + dt.timedelta(days=days))
        do_hold_dispatch(d, acting_user=user, held_on=today,
                         notes="听取重点项目推进情况汇报，研究解决用电、资金、用工等问题，议定事项如下（示例）。")


def load() -> dict:
    """Load the demo chains and pipeline (idempotent). Returns what was created."""
    dept = Department.objects.filter(name=DEPT_ETDZ).first()
    zone = Zone.objects.filter(name=ZONE_ETDZ).first()
    users = {u.username: u for u in User.objects.filter(username__in=("leader", "invest", "project", "service"))}
    if dept is None or zone is None or len(users) < 4:
        return {}
    with acting("cli"), transaction.atomic():
        loader = _Loader(dept, zone, users)
        loader.chains()
        loader.members()
        loader.target_orgs()
        if not Project.objects.filter(department=dept, sample=True).exists():
            loader.pipeline()
            loader.dispatch()
            raised, _ = evaluate_alerts()
            loader.created["项目预警"] += raised
    return dict(loader.created)
