from django.utils.translation import gettext_noop

from feidi.core.importer import Importer

from . import actions
from .forms import ProjectImportForm


class ProjectImporter(Importer):
    """Projects from the .xlsx template: all rows or none, each checked by the project form."""

    form_class = ProjectImportForm
    action = staticmethod(actions.do_save_project)
    title = gettext_noop("招商项目")
    columns = {
        "项目名称": "name", "落地园区": "zone", "投资方": "investor", "行业代码": "industry_code",
        "产业链环节": "segment", "来源渠道": "channel", "引进人": "introducer", "签约金额(元)": "signed_amount",
        "计划总投资(元)": "planned_investment", "固定资产投资(元)": "fixed_asset_investment",
        "利用外资(元)": "foreign_investment", "重点项目": "is_key", "重点级别": "key_level", "项目简介": "description",
    }
    synonyms = {"项目": "项目名称", "园区": "落地园区", "拟落地园区": "落地园区", "投资主体": "投资方", "投资企业": "投资方",
                "行业": "行业代码", "环节": "产业链环节", "来源": "来源渠道", "招商渠道": "来源渠道",
                "协议金额(元)": "签约金额(元)", "总投资(元)": "计划总投资(元)", "计划投资(元)": "计划总投资(元)",
                "项目总投资(元)": "计划总投资(元)", "固投(元)": "固定资产投资(元)", "外资(元)": "利用外资(元)",
                "是否重点项目": "重点项目", "简介": "项目简介"}
    # a project is its name in the zone it lands in: twice in a file, or beside one stored (the same
    # rows imported again, from a CSV with other line ends or saved as .xlsx), it is refused
    unique_in_file = (("zone", "name"),)
    unique_stored = (("zone", "name"),)
    # 重点级别 applies to a key project only (``Project.clean`` empties it otherwise): a level given
    # beside 重点项目=否 is refused on its row, naming 重点项目, never dropped unsaid
    decided_by = {"key_level": ("is_key",)}
    example = {"项目名称": "年产10GWh动力电池项目", "落地园区": "上饶经开区", "投资方": "示例新能源科技有限公司",
               "行业代码": "C3841", "来源渠道": "以商招商", "计划总投资(元)": "5000000000", "重点项目": "否"}

    def initial_instance(self, user):
        obj = super().initial_instance(user)
        obj.owner = user if user.has_perm("projects.claim_project") else None
        return obj
