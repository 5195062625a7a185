"""GB/T 4754-2017 national economic industry classification: sections (门类) and divisions (大类).

A code is the section letter followed by 2–4 digits (大类/中类/小类), e.g. C3825; the first two
digits must be a division of that section.
"""

from __future__ import annotations

import re

SECTIONS = {
    "A": ("农、林、牧、渔业", range(1, 6)),
    "B": ("采矿业", range(6, 13)),
    "C": ("制造业", range(13, 44)),
    "D": ("电力、热力、燃气及水生产和供应业", range(44, 47)),
    "E": ("建筑业", range(47, 51)),
    "F": ("批发和零售业", range(51, 53)),
    "G": ("交通运输、仓储和邮政业", range(53, 61)),
    "H": ("住宿和餐饮业", range(61, 63)),
    "I": ("信息传输、软件和信息技术服务业", range(63, 66)),
    "J": ("金融业", range(66, 70)),
    "K": ("房地产业", range(70, 71)),
    "L": ("租赁和商务服务业", range(71, 73)),
    "M": ("科学研究和技术服务业", range(73, 76)),
    "N": ("水利、环境和公共设施管理业", range(76, 80)),
    "O": ("居民服务、修理和其他服务业", range(80, 83)),
    "P": ("教育", range(83, 84)),
    "Q": ("卫生和社会工作", range(84, 86)),
    "R": ("文化、体育和娱乐业", range(86, 91)),
    "S": ("公共管理、社会保障和社会组织", range(91, 97)),
    "T": ("国际组织", range(97, 98)),
}

# 大类 names used in the zone's priority chains and the demo; others show their section name.
DIVISIONS = {
    13: "农副食品加工业", 14: "食品制造业", 17: "纺织业", 18: "纺织服装、服饰业", 21: "家具制造业",
    22: "造纸和纸制品业", 26: "化学原料和化学制品制造业", 27: "医药制造业", 29: "橡胶和塑料制品业",
    30: "非金属矿物制品业", 32: "有色金属冶炼和压延加工业", 33: "金属制品业", 34: "通用设备制造业",
    35: "专用设备制造业", 36: "汽车制造业", 37: "铁路、船舶、航空航天和其他运输设备制造业",
    38: "电气机械和器材制造业", 39: "计算机、通信和其他电子设备制造业", 40: "仪器仪表制造业",
    44: "电力、热力生产和供应业", 64: "互联网和相关服务", 65: "软件和信息技术服务业",
    73: "研究和试验发展", 75: "科技推广和应用服务业", 72: "商务服务业", 83: "教育",
}

CODE_RE = re.compile(r"^([A-T])(\d{2})(\d{1,2})?$")


class InvalidIndustry(ValueError):
    pass


def validate(code: str) -> str:
    code = (code or "").strip().upper()
    m = CODE_RE.match(code)
    if not m:
        raise InvalidIndustry("行业代码应为门类字母加2–4位数字，如 C3825（GB/T 4754-2017）")
    section, division = m.group(1), int(m.group(2))
    if division not in SECTIONS[section][1]:
        raise InvalidIndustry(f"行业代码 {code}：{division:02d} 不是门类 {section}（{SECTIONS[section][0]}）的大类")
    return code


def label(code: str) -> str:
    code = (code or "").strip().upper()
    m = CODE_RE.match(code)
    if not m:
        return code
    division = int(m.group(2))
    return DIVISIONS.get(division) or SECTIONS[m.group(1)][0]
