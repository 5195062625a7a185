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
from collections import Counter
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from feidi.accounts.models import Department, User
from feidi.chains.models import Chain, Segment
from feidi.core.context import acting
from feidi.core.models import DictItem
from feidi.lib import patent, uscc
from feidi.registry.models import Organization, Person, Zone

from . import build
from .city import DEPT_ETDZ, DEPT_TECH, ENCLAVE_G60_A, ORG_JINKO, ORG_SJTU, ZONE_ETDZ, ZONE_GAOTIE

LINGANG_INSTITUTE = "上海临港东岸新型储能研究院"
LINGANG_USCC = uscc.make("12310115MB2L0D5N0")

# chain → technology field (the ``tech_field`` dictionary)
CHAIN_FIELD = {"光伏": "photovoltaic", "锂电新能源": "battery", "新能源汽车": "nev", "光学": "optics",
               "电子信息": "electronics", "生物医药": "biomedicine", "低空经济": "low_altitude",
               "生产性服务业": "digital"}

# enterprise (a real name, or "链·环节" for the first synthetic enterprise of that segment), chain,
# segment, field, kind, budget (万元), days to the deadline, title, keywords, description, status
DEMANDS = [
    (ORG_JINKO, "光伏", "电池片", "photovoltaic", "key_core", 3000, 365, "钙钛矿/晶硅叠层电池大面积制备与稳定性提升",
     "钙钛矿 叠层电池 TOPCon 稳定性 大面积",
     "基于N型TOPCon底电池开展钙钛矿/晶硅叠层电池研发，需解决M10以上尺寸钙钛矿薄膜的均匀沉积、界面钝化与湿热环境下的"
     "长期稳定性问题。目标：叠层电池效率不低于30%，湿热1000小时后衰减不超过5%，具备中试线导入条件。", "published"),
    (ORG_JINKO, "光伏", "组件", "photovoltaic", "key_core", 800, 240, "光伏组件0BB无主栅互联工艺与可靠性验证",
     "0BB 无主栅 互联 焊接 隐裂 可靠性",
     "组件端导入无主栅（0BB）互联，需要低温焊接或导电胶互联工艺、配套设备参数窗口与隐裂检测方法，"
     "并完成热循环、湿冻等可靠性验证，银耗降低15%以上。", "published"),
    (ORG_JINKO, "光伏", "电池片", "photovoltaic", "common", 500, 300, "TOPCon电池银浆降耗与铜电镀金属化技术",
     "银浆 铜电镀 金属化 降本 TOPCon",
     "银浆成本占电池非硅成本三成以上。征集TOPCon电池铜电镀金属化、图形化与种子层技术，或银包铜浆料方案，"
     "要求栅线附着力、接触电阻与现有银浆工艺相当。", "published"),
    ("上海亥博粘胶材料有限公司", "光伏", "封装胶膜", "materials", "key_core", 300, 200, "光伏组件用耐候型压敏胶带配方优化",
     "压敏胶 胶带 丙烯酸 耐候 光伏",
     "光伏组件边框与接线盒固定用胶带需在高温高湿、紫外老化后保持剥离强度。寻求耐候型丙烯酸压敏胶配方与交联工艺，"
     "替代进口产品，双85老化1000小时剥离强度保持率80%以上。", "published"),
    ("苏州弘道新材料有限公司", "光伏", "配套辅材", "materials", "common", 200, 180, "单晶拉棒用石英坩埚内壁涂层技术",
     "石英坩埚 涂层 单晶 拉棒 寿命",
     "单晶拉棒时间延长后石英坩埚析晶、剥落导致断线。需要坩埚内壁涂层材料与喷涂工艺，提升坩埚使用寿命至500小时以上。",
     "published"),
    ("锂电新能源·电芯", "锂电新能源", "电芯", "battery", "key_core", 600, 270, "高安全磷酸铁锂储能电芯热失控抑制技术",
     "储能电芯 热失控 磷酸铁锂 阻燃 预警",
     "大容量储能电芯（280Ah以上）需要热失控抑制方案：阻燃电解液或隔热材料、早期预警（气体、温度）与簇级防护，"
     "通过针刺、过充测试不起火不爆炸。", "published"),
    ("锂电新能源·原材料", "锂电新能源", "原材料", "battery", "common", 400, 300, "磷酸锰铁锂正极材料低成本合成工艺",
     "磷酸锰铁锂 正极材料 碳包覆 压实密度",
     "开发磷酸锰铁锂正极材料的低成本固相合成与碳包覆工艺，提升压实密度与倍率性能，锰溶出可控，具备千吨级放大条件。",
     "published"),
    ("锂电新能源·回收端", "锂电新能源", "回收端", "battery", "common", 250, 240, "退役动力电池无损拆解与梯次利用健康评估",
     "退役电池 梯次利用 健康状态 拆解 SOH",
     "需要退役动力电池包的自动化无损拆解方案，以及电池健康状态（SOH）快速评估与分选方法，用于储能梯次利用。", "published"),
    ("锂电新能源·零配件", "锂电新能源", "零配件", "battery", "common", 150, 200, "锂电池隔膜陶瓷涂覆一致性在线检测",
     "隔膜 陶瓷涂覆 在线检测 缺陷",
     "隔膜陶瓷涂覆后涂层厚度与缺陷需要在线检测，要求幅宽1.2米、线速80米/分钟下识别漏涂、划痕与颗粒。", "draft"),
    ("新能源汽车·三电系统", "新能源汽车", "三电系统", "nev", "key_core", 1200, 365, "800V碳化硅电驱控制器开发",
     "碳化硅 SiC 电控 800V 电驱",
     "面向800V高压平台开发碳化硅电机控制器，需功率模块驱动与保护、热管理与EMC设计，峰值效率不低于99%。", "published"),
    ("新能源汽车·零部件", "新能源汽车", "零部件", "nev", "common", 500, 300, "一体化压铸免热处理铝合金材料",
     "一体化压铸 免热处理 铝合金 车身",
     "后地板一体化压铸件需要免热处理铝合金材料及压铸工艺，屈服强度不低于120MPa、延伸率不低于10%。", "published"),
    ("新能源汽车·汽车电子", "新能源汽车", "汽车电子", "nev", "common", 300, 240, "车载毫米波雷达与视觉融合感知算法",
     "毫米波雷达 视觉融合 感知 算法 智能驾驶",
     "L2+辅助驾驶需要4D毫米波雷达与摄像头的前融合感知算法，提升雨雾天目标检测召回率，可部署在国产车规芯片上。",
     "published"),
    ("光学·光学元件", "光学", "光学元件", "optics", "common", 200, 180, "超薄红外截止滤光片镀膜良率提升",
     "滤光片 镀膜 红外截止 良率",
     "0.11毫米超薄红外截止滤光片镀膜后翘曲与膜裂导致良率偏低，寻求低应力镀膜工艺与膜系设计。", "published"),
    ("光学·镜头模组", "光学", "镜头模组", "optics", "key_core", 400, 300, "车载镜头玻塑混合非球面镜片模压工艺",
     "非球面 模压 玻塑混合 车载镜头",
     "车载镜头要求-40℃至105℃焦点漂移小，需要玻璃非球面镜片精密模压成型与玻塑混合结构设计能力。", "published"),
    ("光学·光学材料", "光学", "光学材料", "optics", "common", 150, 120, "低软化点模压光学玻璃材料",
     "光学玻璃 低软化点 模压",
     "开发软化点低于550℃的模压光学玻璃，降低模具损耗。", "closed"),
    ("电子信息·电路板", "电子信息", "电路板", "electronics", "key_core", 600, 365, "高频高速PCB低损耗基材国产替代",
     "高频高速 低损耗 覆铜板 PCB 树脂",
     "服务器与通信板需要低介电损耗（Df≤0.002）覆铜板基材，寻求树脂体系与填料技术，实现国产替代。", "published"),
    ("电子信息·软件与数据", "电子信息", "软件与数据", "digital", "common", 200, 200, "工业质检视觉模型轻量化与边缘部署",
     "缺陷检测 视觉 模型压缩 边缘部署 质检",
     "产线外观质检需要视觉检测模型的压缩与量化，在边缘计算盒上实时运行，漏检率低于0.1%。", "published"),
    ("电子信息·电子元器件", "电子信息", "电子元器件", "electronics", "common", 300, 240, "车规级功率MOSFET封装散热与可靠性",
     "功率器件 封装 散热 车规 银烧结",
     "车规级功率MOSFET需要银烧结等高导热封装工艺，通过AEC-Q101可靠性考核。", "draft"),
    ("江西金丰药业有限公司", "生物医药", "制剂", "biomedicine", "common", 350, 300, "缓控释制剂一致性评价与工艺放大",
     "缓控释 制剂 一致性评价 工艺放大",
     "开展口服缓控释片剂的仿制药一致性评价，需要处方筛选、溶出曲线匹配与工艺放大支持。", "published"),
    ("生物医药·原料药", "生物医药", "原料药", "biomedicine", "key_core", 400, 300, "手性药物中间体连续流合成工艺",
     "手性 连续流 不对称催化 中间体",
     "手性中间体批次收率低、溶剂消耗大，寻求连续流微反应与不对称催化合成工艺，ee值不低于99%。", "published"),
    ("生物医药@高铁", "生物医药", "医疗器械", "biomedicine", "key_core", 300, 240, "可穿戴动态血糖监测传感器酶膜稳定性",
     "血糖 传感器 酶膜 可穿戴 稳定性",
     "动态血糖仪传感器需要佩戴14天以上信号稳定，寻求葡萄糖氧化酶固定化与抗干扰膜技术。", "published"),
    ("翼空无人机科技(江西)有限公司", "低空经济", "整机制造", "low_altitude", "key_core", 1000, 365,
     "工业级无人机长航时氢燃料电池动力系统", "氢燃料电池 无人机 长航时 动力系统",
     "巡检无人机航时需从1小时提升到3小时以上，寻求轻量化氢燃料电池与锂电混合动力系统及能量管理策略。", "published"),
    ("翼空无人机科技(江西)有限公司", "低空经济", "零部件与飞控", "low_altitude", "common", 300, 240,
     "复杂城市环境无人机自主避障与精准降落", "自主避障 精准降落 SLAM 无人机 飞控",
     "城市楼宇间低空飞行需要基于视觉与激光雷达的自主避障与厘米级精准降落，适配现有飞控。", "published"),
    ("低空经济·运营服务", "低空经济", "运营服务", "low_altitude", "common", 200, 200, "低空物流航线规划与调度平台",
     "低空物流 航线规划 调度 无人机",
     "建设城区低空物流配送网络，需要航线规划、多机调度与空域冲突检测算法。", "published"),
]

# institution, chain, segment, field, maturity, transfer mode, price (万元, 0 = 面议), patents, title, keywords, text, status
SUPPLIES = [
    (ORG_SJTU, "光伏", "电池片", "photovoltaic", "pilot", "license", 500, 2, "大面积钙钛矿薄膜狭缝涂布与界面钝化技术",
     "钙钛矿 狭缝涂布 界面钝化 叠层电池 大面积",
     "采用狭缝涂布与气刀辅助结晶制备大面积钙钛矿薄膜，结合界面钝化层，在TOPCon底电池上实现叠层器件效率30%以上，"
     "已完成M10尺寸样片验证。", "published"),
    ("中国科学院宁波材料技术与工程研究所", "光伏", "电池片", "photovoltaic", "pilot_small", "joint", 0, 2,
     "钙钛矿/晶硅叠层电池封装与湿热稳定性提升", "钙钛矿 叠层电池 封装 湿热 稳定性",
     "通过原子层沉积阻隔层与边缘封装胶，钙钛矿叠层组件湿热1000小时后效率保持率95%以上。", "published"),
    ("上海电力大学", "光伏", "组件", "photovoltaic", "pilot", "transfer", 200, 1, "光伏组件无主栅互联与隐裂检测技术",
     "0BB 无主栅 互联 隐裂 EL检测",
     "低温焊带互联工艺与基于EL图像的隐裂智能识别，适用于0BB组件产线，已在两家组件厂试用。", "published"),
    ("华东理工大学", "光伏", "封装胶膜", "materials", "industrial", "transfer", 150, 2, "光伏胶带用耐候丙烯酸压敏胶",
     "压敏胶 丙烯酸 耐候 胶带",
     "自主设计的耐候型丙烯酸压敏胶，双85老化1000小时剥离强度保持率85%，已具备吨级生产工艺包。", "published"),
    ("东华大学", "光伏", "配套辅材", "materials", "pilot", "license", 300, 1, "光伏背板用高耐候氟膜复合材料",
     "背板 氟膜 耐候 复合材料",
     "高耐候氟膜与PET复合背板，紫外老化后黄变指数低，适用于双面组件。", "published"),
    ("上海大学", "光伏", "电池片", "photovoltaic", "pilot_small", "joint", 0, 1, "晶硅电池铜电镀金属化图形化技术",
     "铜电镀 金属化 银浆 降本 TOPCon",
     "激光开膜与选择性铜电镀形成细栅线，接触电阻与银浆相当，可降低金属化成本40%以上。", "published"),
    ("中国科学院上海硅酸盐研究所", "光伏", "硅片", "materials", "pilot", "license", 250, 2, "石英坩埚内壁涂层材料与喷涂工艺",
     "石英坩埚 涂层 单晶 拉棒",
     "钡盐/氮化硅复合涂层抑制坩埚析晶，实验线上坩埚寿命提升40%。", "published"),
    ("复旦大学", "锂电新能源", "电芯", "battery", "pilot_small", "license", 400, 2, "储能电池热失控早期预警与阻燃电解液",
     "热失控 阻燃 电解液 储能电芯 预警",
     "磷系阻燃电解液配合特征气体传感器的早期预警方案，280Ah电芯针刺不起火。", "published"),
    (LINGANG_INSTITUTE, "锂电新能源", "原材料", "battery", "pilot", "equity", 800, 2, "磷酸锰铁锂正极材料固相合成与碳包覆",
     "磷酸锰铁锂 正极材料 碳包覆 固相合成",
     "一步固相合成与原位碳包覆，压实密度2.5g/cm³以上，已完成百吨级中试。", "published"),
    ("上海理工大学", "锂电新能源", "回收端", "battery", "pilot", "license", 200, 1, "退役动力电池健康状态快速评估与梯次利用",
     "退役电池 梯次利用 健康状态 SOH 拆解",
     "基于电化学阻抗谱与机器学习的SOH快速评估，单包评估时间10分钟以内，配套自动拆解工装。", "published"),
    ("苏州大学", "锂电新能源", "零配件", "battery", "pilot_small", "joint", 0, 1, "隔膜涂层缺陷在线视觉检测",
     "隔膜 陶瓷涂覆 在线检测 视觉",
     "线扫相机与深度学习结合，识别隔膜漏涂、划痕、颗粒等缺陷，线速100米/分钟。", "published"),
    ("同济大学", "新能源汽车", "三电系统", "nev", "pilot", "license", 600, 2, "800V碳化硅电机控制器设计与热管理",
     "碳化硅 SiC 电控 800V 热管理",
     "碳化硅功率模块驱动、短路保护与双面水冷热管理设计，样机峰值效率99.2%。", "published"),
    (ORG_SJTU, "新能源汽车", "零部件", "nev", "pilot", "transfer", 450, 2, "免热处理一体化压铸铝合金材料",
     "一体化压铸 免热处理 铝合金",
     "Al-Si-Mg-Mn系免热处理压铸合金，屈服强度130MPa、延伸率11%，已用于样件试制。", "published"),
    ("东南大学", "新能源汽车", "汽车电子", "nev", "pilot_small", "license", 150, 1, "毫米波雷达与视觉融合目标检测算法",
     "毫米波雷达 视觉融合 感知 自动驾驶",
     "4D毫米波点云与图像的特征级融合网络，雨雾天行人检测召回率提升12个百分点。", "published"),
    ("中国科学院上海光学精密机械研究所", "光学", "光学元件", "optics", "industrial", "license", 300, 2,
     "红外截止滤光片离子束辅助镀膜技术", "滤光片 镀膜 离子束 良率 低应力",
     "离子束辅助沉积低应力膜系，超薄基片翘曲降低60%，良率提升至95%。", "published"),
    ("浙江大学", "光学", "镜头模组", "optics", "pilot", "joint", 0, 2, "玻塑混合非球面镜片精密模压成型",
     "非球面 模压 玻塑混合 车载镜头",
     "玻璃非球面精密模压与玻塑混合镜头设计，-40℃至105℃焦点漂移小于5微米。", "published"),
    ("中国计量大学", "光学", "光学元件", "optics", "industrial", "transfer", 120, 1, "光学元件面形在线检测干涉仪",
     "面形检测 干涉仪 光学元件",
     "动态干涉仪实现光学元件面形在线检测，测量重复性优于λ/100。", "published"),
    ("中国科学院上海微系统与信息技术研究所", "电子信息", "电路板", "electronics", "pilot", "license", 500, 2,
     "高频高速覆铜板用低介电损耗树脂", "高频高速 低损耗 覆铜板 PCB 树脂",
     "改性聚苯醚树脂体系，Df为0.0018（10GHz），适用于高速服务器主板。", "published"),
    ("杭州电子科技大学", "电子信息", "软件与数据", "digital", "pilot_small", "joint", 0, 1, "工业缺陷检测视觉模型压缩与边缘部署",
     "缺陷检测 视觉 模型压缩 边缘部署 质检",
     "知识蒸馏与INT8量化，将检测模型压缩到原来的十分之一，在国产边缘盒上30帧每秒运行。", "published"),
    ("南京大学", "电子信息", "电子元器件", "electronics", "pilot", "license", 350, 2, "车规级功率器件银烧结封装技术",
     "功率器件 银烧结 封装 散热 车规",
     "纳米银烧结连接层导热率200W/(m·K)以上，功率循环寿命较焊料提升5倍。", "published"),
    ("中国科学院上海药物研究所", "生物医药", "制剂", "biomedicine", "industrial", "joint", 0, 2, "口服缓控释制剂处方与工艺放大平台",
     "缓控释 制剂 一致性评价 工艺放大",
     "骨架型与渗透泵型缓控释制剂处方平台，可支持一致性评价溶出曲线匹配与中试放大。", "published"),
    ("中国科学院上海有机化学研究所", "生物医药", "原料药", "biomedicine", "pilot", "license", 400, 2,
     "手性中间体连续流不对称催化合成", "手性 连续流 不对称催化 中间体",
     "微通道连续流不对称氢化，ee值99.5%，溶剂用量减少70%。", "published"),
    ("江南大学", "生物医药", "医疗器械", "biomedicine", "pilot_small", "license", 180, 1, "葡萄糖氧化酶固定化与可穿戴血糖传感器",
     "血糖 传感器 酶膜 可穿戴 稳定性",
     "交联固定化酶膜与抗干扰外膜，传感器连续佩戴15天灵敏度衰减小于10%。", "published"),
    ("上海中医药大学", "生物医药", "制剂", "biomedicine", "lab", "joint", 0, 0, "经典名方复方制剂质量标志物研究",
     "中药 经典名方 质量标志物 复方制剂",
     "基于质量标志物的经典名方复方制剂质量控制方法。", "published"),
    ("南京航空航天大学", "低空经济", "整机制造", "low_altitude", "pilot", "joint", 0, 2, "无人机氢燃料电池混合动力系统",
     "氢燃料电池 无人机 长航时 动力系统",
     "轻量化氢燃料电池与锂电混合动力及能量管理，六旋翼样机航时3.5小时。", "published"),
    ("浙江工业大学", "低空经济", "零部件与飞控", "low_altitude", "pilot_small", "license", 200, 1, "无人机视觉SLAM自主避障与精准降落",
     "自主避障 精准降落 SLAM 无人机",
     "视觉惯性SLAM与二维码辅助定位，城市场景自主避障与厘米级精准降落。", "published"),
    ("同济大学", "低空经济", "运营服务", "low_altitude", "pilot_small", "license", 150, 1, "城市低空物流航线规划与多机调度算法",
     "低空物流 航线规划 调度 无人机",
     "基于三维栅格地图的航线规划与多机冲突消解调度，支持百架级并发。", "published"),
    ("上海工程技术大学", "低空经济", "整机制造", "low_altitude", "pilot", "joint", 0, 1, "航空复合材料机身结构轻量化设计",
     "复合材料 轻量化 机身",
     "碳纤维复合材料机身拓扑优化与成型工艺，减重25%。", "draft"),
    ("上海应用技术大学", "光学", "光学材料", "optics", "lab", "transfer", 80, 1, "低软化点磷酸盐光学玻璃",
     "光学玻璃 低软化点 模压",
     "低软化点磷酸盐光学玻璃配方，软化点520℃。", "closed"),
]

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
        from feidi.techmarket.actions import do_close_demand, do_publish_demand

        today = timezone.localdate()
        for (who, chain, seg, field, kind, budget, days, title, keywords, text, status) in DEMANDS:
            org = _enterprise(who)
            if org is None or build.demand.find(organization=org, title=title):
                continue
            demand = build.demand.make(
                self.created, organization=org, title=title, description=text, keywords=keywords,
                field=self.fields[field], segment=self.segments.get((chain, seg)), kind=kind,
                budget=Decimal(budget * 10_000), deadline=today + dt.timedelta(days=days), created_by=self.tech)
            self._publish("demand", demand, status, do_publish_demand, do_close_demand)

    def supplies(self) -> None:
        from feidi.techmarket.actions import do_close_supply, do_publish_supply

        lingang = _lingang_institute(self.created)
        for (who, chain, seg, field, maturity, mode, price, n_patents, title, keywords, text, status) in SUPPLIES:
            org = lingang if who == LINGANG_INSTITUTE else Organization.objects.filter(name=who).first()
            patents = self._patents(n_patents)  # drawn for every row, so the numbers never shift
            if org is None or build.supply.find(organization=org, title=title):
                continue
            supply = build.supply.make(
                self.created, organization=org, title=title, description=text, keywords=keywords,
                field=self.fields[field], segment=self.segments.get((chain, seg)), patents=patents,
                maturity=maturity, transfer_mode=mode, asking_price=Decimal(price * 10_000) if price else None,
                created_by=self.tech, department=Department.objects.filter(name=DEPT_TECH).first())
            self._publish("supply", supply, status, do_publish_supply, do_close_supply)

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
