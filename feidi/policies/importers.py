from django.utils.translation import gettext_noop

from feidi.core.importer import Importer

from . import actions
from .forms import PolicyItemForm


class PolicyItemImporter(Importer):
    """Policy items from the .xlsx template (the policy named by its title or 文号): all rows or
    none, each checked by the item form; conditions are then set on each item's page."""

    form_class = PolicyItemForm
    action = staticmethod(actions.do_save_item)
    title = gettext_noop("政策条款")
    columns = {
        "所属政策": "policy", "条款编号": "number", "条款名称": "title", "兑现方式": "mode", "兑现期": "period",
        "金额规则": "amount_kind", "定额(元)": "amount_fixed", "比例(%)": "amount_rate",
        "计算依据指标": "amount_indicator", "依据月份": "amount_month", "封顶(元)": "amount_cap",
        "审核部门": "review_department", "每步办理时限(工作日)": "step_days", "有效": "active",
        "条款内容": "content", "申报材料": "materials",
    }
    synonyms = {"政策": "所属政策", "政策名称": "所属政策", "条款": "条款名称", "编号": "条款编号", "方式": "兑现方式",
                "金额(元)": "定额(元)", "奖励金额(元)": "定额(元)", "比例": "比例(%)", "封顶金额(元)": "封顶(元)",
                "内容": "条款内容", "材料": "申报材料", "时限(工作日)": "每步办理时限(工作日)"}
    # an item is its number in its policy (第三条), or, unnumbered, its title among the policy's
    # unnumbered items: twice in a file, or beside one stored, it is refused
    unique_in_file = (("policy", "number"), ("policy", "number", "title"))
    unique_stored = unique_in_file
    example = {"所属政策": "上饶经开区支持企业研发创新若干措施", "条款编号": "第三条", "条款名称": "高新技术企业认定奖励",
               "兑现方式": "免申即享", "兑现期": "2026", "金额规则": "定额", "定额(元)": "200000",
               "每步办理时限(工作日)": "5", "有效": "是"}
