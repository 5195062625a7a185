import datetime as dt

from django.core.management.base import BaseCommand
from django.core.management.base import CommandError

from feidi.core.context import acting


class Command(BaseCommand):
    help = ("专报：feidi report biweekly --date 2026-11-15 [--department 上饶经开区管委会] "
            "生成重点项目半月专报（Word + Excel）；不指定部门时为每个有重点项目的园区各生成一期")

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=["biweekly"])
        parser.add_argument("--date", required=True, help="数据截止日期 YYYY-MM-DD")
        parser.add_argument("--department", help="部门编号或名称（园区管委会）")

    def handle(self, *args, **options):
        from feidi.accounts.models import Department
        from feidi.projects.reports import generate_biweekly
        from feidi.projects.reports import zones_with_key_projects

        try:
            as_of = dt.date.fromisoformat(options["date"])
        except ValueError:
            raise CommandError(f"日期格式应为 YYYY-MM-DD：{options['date']}") from None
        wanted = options.get("department")
        if wanted:
            found = Department.objects.filter(pk=int(wanted)) if wanted.isdigit() else Department.objects.filter(
                name=wanted)
            if found.count() != 1:
                raise CommandError(f"找不到唯一的部门：{wanted}")
            departments = list(found)
        else:
            departments = zones_with_key_projects()
            if not departments:
                self.stdout.write("没有纳入调度的重点项目，未生成专报")
                return
        with acting("cli"):
            for dept in departments:
                report = generate_biweekly(dept, as_of)
                self.stdout.write(self.style.SUCCESS(f"{dept.name}：{report}"))
                self.stdout.write(f"  {report.docx.path}\n  {report.xlsx.path}")
