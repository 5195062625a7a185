from django.core.management.base import BaseCommand
from django.utils.translation import gettext

from feidi.core.context import acting


class Command(BaseCommand):
    help = "企业诉求：feidi appeals sweep 将所有超过本级期限的诉求升级一级（可重复执行）"

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["sweep"])

    def handle(self, *args, **options):
        from feidi.services.actions import report_missing_calendar
        from feidi.services.actions import sweep

        skipped: dict[int, int] = {}  # escalated, their next deadline counted on the weekday rule, by year
        failed: list[int] = []
        with acting("cli"):
            count = sweep(skipped=skipped, failed=failed)
            if skipped:
                report_missing_calendar(skipped, source="诉求升级巡检")
        self.stdout.write(self.style.SUCCESS(gettext("已升级 {count} 件逾期诉求").format(count=count)))
        for year, n in sorted(skipped.items()):
            self.stderr.write(self.style.WARNING(gettext(
                "其中 {n} 件诉求的下一级期限落在 {year} 年，该年节假日安排未录入，其下一级期限暂按推算，"
                "录入该年节假日安排后将自动重算").format(n=n, year=year)))
        if failed:
            self.stderr.write(self.style.ERROR(gettext(
                "{n} 件逾期诉求无法升级（数据异常），已跳过，其余照常升级：{ids}（详见日志）").format(
                    n=len(failed), ids="、".join(f"#{pk}" for pk in failed))))
