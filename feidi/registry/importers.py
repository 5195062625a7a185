from feidi.core.importer import Importer

from . import actions
from .forms import OrganizationForm
from .models import Organization


class OrganizationImporter(Importer):
    model = Organization
    form_class = OrganizationForm
    action = staticmethod(actions.do_save_organization)
    title = "单位"
    columns = {
        "名称": "name", "统一社会信用代码": "uscc", "类型": "kind", "行业代码": "industry_code",
        "所在园区": "zone", "所在地区": "region", "地址": "address", "法定代表人": "legal_representative",
        "注册资本(元)": "registered_capital", "成立日期": "established_on", "用地面积(亩)": "land_area_mu",
        "从业人员": "employees", "简介": "description",
    }
    unique_in_file = ("uscc",)
    example = {"名称": "示例光伏科技有限公司", "统一社会信用代码": "91361100MA35X00005", "类型": "企业",
               "行业代码": "C3825", "成立日期": "2021-06-18", "用地面积(亩)": "120", "从业人员": "350"}
