"""Demo 招商情报: a few invented news items (示例) about firms on the demo city's chains, added by
the investment bureau's head and analysed at once, so the daily list has content. Idempotent: an
item is stored once per text (``do_add_item``)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from feidi.accounts.models import User

LFMP = ("湖南某新能源材料股份有限公司今日公告，拟投资约50亿元在华中地区新建年产20万吨磷酸锰铁锂正极材料项目，"
        "项目分两期建设，一期预计2027年底投产。公司表示，储能电池需求快速增长，现有产能已满负荷运转，"
        "本次新建项目达产后将形成年产值约80亿元的规模，产品主要供应国内头部动力电池和储能电池企业。"
        "公告同时披露，公司前三季度实现营业收入126亿元，同比增长18%，磷酸锰铁锂产品已通过多家客户认证。")

# (days ago, outlet, title, text) — invented stories in the styles officers read
ITEMS = [
    (0, "示例财经网", "某锂电正极材料企业拟投资50亿元新建磷酸锰铁锂基地",
     "【示例】" + LFMP),
    (0, "示例证券报", "光伏企业追加投资扩建TOPCon电池产能",
     "【示例】晶科能源近日宣布，将追加投资30亿元扩建N型TOPCon高效电池产能10GW，并同步建设组件封装线。"
     "公司前三季度组件出货量位居行业前列，新增产能主要面向海外市场订单。"),
    (1, "示例科技媒体", "无人机企业完成5亿元B轮融资",
     "【示例】某低空经济企业翼航智能科技近日完成5亿元B轮融资，由某产业基金领投，资金将用于eVTOL适航取证和量产线建设，"
     "公司计划明年在长三角选址新建总装基地，年产能500架。"),
    (1, "示例日报", "光学镜头企业拟分拆车载光学业务上市",
     "【示例】某光学科技集团公告，拟分拆旗下车载镜头业务至科创板上市，募集资金约12亿元，用于车载镜头和激光雷达光学部件扩产。"),
    (2, "示例网", "生物医药企业新建制剂生产基地",
     "【示例】某创新药企业宣布在长三角新建制剂生产基地，总投资约18亿元，主要生产小分子创新药和生物药制剂。"),
    (0, "示例转载", "某锂电正极材料企业拟投资50亿元新建磷酸锰铁锂基地",
     "【示例·转载】" + LFMP.replace("，", "。", 1) + "（来源：示例财经网）"),
]


def load() -> dict:
    from feidi.intel.actions import analyse_items
    from feidi.intel.actions import do_add_item
    from feidi.intel.models import NewsItem

    officer = User.objects.filter(username="invest", is_active=True).first()
    if officer is None:
        return {}
    today = timezone.localdate()
    before = NewsItem.objects.filter(sample=True).count()
    ids = []
    for days, source, title, text in ITEMS:
        item = do_add_item(acting_user=officer, title=title, text=text, source=source, sample=True, analyse=False,
                           published_on=today - dt.timedelta(days=days))
        if item.analysed_at is None:
            ids.append(item.pk)
    analyse_items(sorted(ids))
    return {"招商情报": NewsItem.objects.filter(sample=True).count() - before}
