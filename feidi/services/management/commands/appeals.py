from django.core.management.base import BaseCommand

from feidi.core.context import acting


class Command(BaseCommand):
    help = "企业诉求：feidi appeals sweep 将所有超过本级期限的诉求升级一级（可重复执行）"

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["sweep"])

    def handle(self, *args, **options):
        from feidi.services.actions import report_missing_calendar
        from feidi.services.actions import sweep

        skipped: dict[int, int] = {}
        with acting("cli"):
            count = sweep(skipped=skipped)
            if skipped:
                report_missing_calendar(skipped, source="诉求升级巡检")
        self.stdout.write(self.style.SUCCESS(f"已升级 {count} 件逾期诉求"))
        for year, n in sorted(skipped.items()):
            self.stderr.write(self.style.WARNING(f"{n} 件诉求的下一级期限落在 {year} 年，该年节假日安排未录入，暂未升级"))
