"""GB/T 4754-2017 national economic industry classification: sections (门类) and divisions (大类).

A code is the section letter followed by 2–4 digits (大类/中类/小类), e.g. C3825; the first two
digits must be a division of that section.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext
from django.utils.translation import gettext_noop

SECTIONS = {
    "A": (gettext_noop("农、林、牧、渔业"), range(1, 6)),
    "B": (gettext_noop("采矿业"), range(6, 13)),
    "C": (gettext_noop("制造业"), range(13, 44)),
    "D": (gettext_noop("电力、热力、燃气及水生产和供应业"), range(44, 47)),
    "E": (gettext_noop("建筑业"), range(47, 51)),
    "F": (gettext_noop("批发和零售业"), range(51, 53)),
    "G": (gettext_noop("交通运输、仓储和邮政业"), range(53, 61)),
    "H": (gettext_noop("住宿和餐饮业"), range(61, 63)),
    "I": (gettext_noop("信息传输、软件和信息技术服务业"), range(63, 66)),
    "J": (gettext_noop("金融业"), range(66, 70)),
    "K": (gettext_noop("房地产业"), range(70, 71)),
    "L": (gettext_noop("租赁和商务服务业"), range(71, 73)),
    "M": (gettext_noop("科学研究和技术服务业"), range(73, 76)),
    "N": (gettext_noop("水利、环境和公共设施管理业"), range(76, 80)),
    "O": (gettext_noop("居民服务、修理和其他服务业"), range(80, 83)),
    "P": (gettext_noop("教育"), range(83, 84)),
    "Q": (gettext_noop("卫生和社会工作"), range(84, 86)),
    "R": (gettext_noop("文化、体育和娱乐业"), range(86, 91)),
    "S": (gettext_noop("公共管理、社会保障和社会组织"), range(91, 97)),
    "T": (gettext_noop("国际组织"), range(97, 98)),
}

# The 97 divisions (大类) of GB/T 4754-2017. The editable dictionary ``industry`` is seeded from
# them (core/seeds.py); labels shown to users come from that dictionary.
DIVISIONS = {
    1: gettext_noop("农业"), 2: gettext_noop("林业"), 3: gettext_noop("畜牧业"), 4: gettext_noop("渔业"),
    5: gettext_noop("农、林、牧、渔专业及辅助性活动"), 6: gettext_noop("煤炭开采和洗选业"), 7: gettext_noop("石油和天然气开采业"),
    8: gettext_noop("黑色金属矿采选业"),
    9: gettext_noop("有色金属矿采选业"), 10: gettext_noop("非金属矿采选业"), 11: gettext_noop("开采专业及辅助性活动"),
    12: gettext_noop("其他采矿业"), 13: gettext_noop("农副食品加工业"), 14: gettext_noop("食品制造业"),
    15: gettext_noop("酒、饮料和精制茶制造业"), 16: gettext_noop("烟草制品业"), 17: gettext_noop("纺织业"),
    18: gettext_noop("纺织服装、服饰业"), 19: gettext_noop("皮革、毛皮、羽毛及其制品和制鞋业"),
    20: gettext_noop("木材加工和木、竹、藤、棕、草制品业"), 21: gettext_noop("家具制造业"), 22: gettext_noop("造纸和纸制品业"),
    23: gettext_noop("印刷和记录媒介复制业"), 24: gettext_noop("文教、工美、体育和娱乐用品制造业"),
    25: gettext_noop("石油、煤炭及其他燃料加工业"), 26: gettext_noop("化学原料和化学制品制造业"), 27: gettext_noop("医药制造业"),
    28: gettext_noop("化学纤维制造业"), 29: gettext_noop("橡胶和塑料制品业"), 30: gettext_noop("非金属矿物制品业"),
    31: gettext_noop("黑色金属冶炼和压延加工业"), 32: gettext_noop("有色金属冶炼和压延加工业"), 33: gettext_noop("金属制品业"),
    34: gettext_noop("通用设备制造业"), 35: gettext_noop("专用设备制造业"), 36: gettext_noop("汽车制造业"),
    37: gettext_noop("铁路、船舶、航空航天和其他运输设备制造业"), 38: gettext_noop("电气机械和器材制造业"),
    39: gettext_noop("计算机、通信和其他电子设备制造业"), 40: gettext_noop("仪器仪表制造业"), 41: gettext_noop("其他制造业"),
    42: gettext_noop("废弃资源综合利用业"), 43: gettext_noop("金属制品、机械和设备修理业"), 44: gettext_noop("电力、热力生产和供应业"),
    45: gettext_noop("燃气生产和供应业"), 46: gettext_noop("水的生产和供应业"), 47: gettext_noop("房屋建筑业"),
    48: gettext_noop("土木工程建筑业"), 49: gettext_noop("建筑安装业"), 50: gettext_noop("建筑装饰、装修和其他建筑业"),
    51: gettext_noop("批发业"), 52: gettext_noop("零售业"), 53: gettext_noop("铁路运输业"), 54: gettext_noop("道路运输业"),
    55: gettext_noop("水上运输业"), 56: gettext_noop("航空运输业"), 57: gettext_noop("管道运输业"),
    58: gettext_noop("多式联运和运输代理业"), 59: gettext_noop("装卸搬运和仓储业"), 60: gettext_noop("邮政业"),
    61: gettext_noop("住宿业"),
    62: gettext_noop("餐饮业"), 63: gettext_noop("电信、广播电视和卫星传输服务"), 64: gettext_noop("互联网和相关服务"),
    65: gettext_noop("软件和信息技术服务业"), 66: gettext_noop("货币金融服务"), 67: gettext_noop("资本市场服务"),
    68: gettext_noop("保险业"), 69: gettext_noop("其他金融业"), 70: gettext_noop("房地产业"), 71: gettext_noop("租赁业"),
    72: gettext_noop("商务服务业"), 73: gettext_noop("研究和试验发展"), 74: gettext_noop("专业技术服务业"),
    75: gettext_noop("科技推广和应用服务业"), 76: gettext_noop("水利管理业"), 77: gettext_noop("生态保护和环境治理业"),
    78: gettext_noop("公共设施管理业"), 79: gettext_noop("土地管理业"), 80: gettext_noop("居民服务业"),
    81: gettext_noop("机动车、电子产品和日用产品修理业"), 82: gettext_noop("其他服务业"), 83: gettext_noop("教育"),
    84: gettext_noop("卫生"), 85: gettext_noop("社会工作"), 86: gettext_noop("新闻和出版业"),
    87: gettext_noop("广播、电视、电影和录音制作业"),
    88: gettext_noop("文化艺术业"), 89: gettext_noop("体育"), 90: gettext_noop("娱乐业"), 91: gettext_noop("中国共产党机关"),
    92: gettext_noop("国家机构"), 93: gettext_noop("人民政协、民主党派"), 94: gettext_noop("社会保障"),
    95: gettext_noop("群众团体、社会团体和其他成员组织"), 96: gettext_noop("基层群众自治组织及其他组织"), 97: gettext_noop("国际组织"),
}

CODE_RE = re.compile(r"^([A-T])(\d{2})(\d{1,2})?$")


class InvalidIndustry(ValueError):
    pass


def validate(code: str) -> str:
    code = (code or "").strip().upper()
    m = CODE_RE.match(code)
    if not m:
        raise InvalidIndustry(gettext("行业代码应为门类字母加2–4位数字，如 C3825（GB/T 4754-2017）"))
    section, division = m.group(1), int(m.group(2))
    if division not in SECTIONS[section][1]:
        raise InvalidIndustry(gettext("行业代码 {code}：{division:02d} 不是门类 {section}（{value}）的大类").format(
            code=code, division=division, section=section, value=gettext(SECTIONS[section][0])))
    return code


def division_code(code: str) -> str:
    """The 2-digit division of an industry code ('C3825' → '38'), or '' when malformed."""
    m = CODE_RE.match((code or "").strip().upper())
    return m.group(2) if m else ""


def label(code: str) -> str:
    code = (code or "").strip().upper()
    m = CODE_RE.match(code)
    if not m:
        return code
    division = int(m.group(2))
    return gettext(DIVISIONS.get(division) or SECTIONS[m.group(1)][0])
