from django.utils.translation import gettext_noop

from feidi.core import audit
from feidi.core.importer import Importer

from . import actions
from .forms import OrganizationForm
from .models import Organization


class OrganizationImporter(Importer):
    form_class = OrganizationForm
    action = staticmethod(actions.do_save_organization)
    title = gettext_noop("单位")
    columns = {
        "名称": "name", "统一社会信用代码": "uscc", "类型": "kind", "行业代码": "industry_code",
        "所在园区": "zone", "所在地区": "region", "地址": "address", "法定代表人": "legal_representative",
        "注册资本(元)": "registered_capital", "成立日期": "established_on", "用地面积(亩)": "land_area_mu",
        "从业人员": "employees", "简介": "description",
    }
    synonyms = {"单位名称": "名称", "企业名称": "名称", "主体名称": "名称", "信用代码": "统一社会信用代码",
                "社会信用代码": "统一社会信用代码", "主体类型": "类型", "单位类型": "类型", "行业": "行业代码",
                "国民经济行业代码": "行业代码", "园区": "所在园区", "地区": "所在地区", "注册地址": "地址",
                "法人": "法定代表人", "法人代表": "法定代表人", "注册资金(元)": "注册资本(元)", "注册日期": "成立日期",
                "成立时间": "成立日期", "用地面积": "用地面积(亩)", "员工人数": "从业人员", "职工人数": "从业人员",
                "从业人数": "从业人员", "企业简介": "简介"}
    unique_in_file = ("uscc",)
    example = {"名称": "示例光伏科技有限公司", "统一社会信用代码": "91361100MA35X00005", "类型": "企业",
               "行业代码": "C3825", "成立日期": "2021-06-18", "用地面积(亩)": "120", "从业人员": "350"}

    # --- volume: a province's registrations in one file (20,000 rows) --------------------------
    def prepare(self, chunk, positions, user) -> None:
        """The codes the chunk names that are already registered, in one query. A code an earlier
        chunk of this file registered (in the import's transaction) is left to the check for
        rows of the file that repeat each other ("与第N行重复"), which names the row."""
        from feidi.core.importer import cell_text
        from feidi.lib import uscc

        column = positions.get("统一社会信用代码")
        codes = set()
        for _, cells in chunk if column is not None else ():
            try:
                codes.add(uscc.normalize(cell_text(cells[column] if column < len(cells) else None)))
            except ValueError:
                continue
        codes = sorted(codes - {""})
        self.taken = {}
        for start in range(0, len(codes), 5000):
            part = codes[start:start + 5000]
            self.taken.update(dict.fromkeys(Organization.objects.filter(uscc__in=part).values_list("uscc", flat=True), ""))
            self.taken.update(Organization.objects.visible_to(user).filter(uscc__in=part).values_list("uscc", "name"))
        self.taken = {code: name for code, name in self.taken.items() if self.first_row("uscc", code) is None}

    def make_form(self, data_row, user, **kwargs):
        form = super().make_form(data_row, user, taken=getattr(self, "taken", None), **kwargs)
        if getattr(self, "taken", None) is not None:
            form.unique_checked = frozenset({"uscc"})  # checked above, for the whole file
        return form

    def save_all(self, checked, user) -> list[tuple[int, Organization]]:
        """A chunk's rows in bulk: the records as ``do_save_organization`` makes them (each belongs
        to its park's administration), inserted together, each with its audit record."""
        objs, rows = [], []
        for excel_row, form in checked:
            rows.append(excel_row)
            org = form.instance
            actions._department_from_zone(org, org.zone)
            if org.created_by_id is None and getattr(user, "pk", None):
                org.created_by = user
            objs.append(org)
        Organization.objects.bulk_create(objs, batch_size=2000)
        audit.record_many([{"action": audit.AuditRecord.Action.CREATE, "instance": org, "after": audit.snapshot(org)}
                           for org in objs], user=user)
        return list(zip(rows, objs, strict=True))
