from pathlib import Path

from django.core.management.base import BaseCommand
from django.core.management.base import CommandError

from feidi.core.context import acting


class Command(BaseCommand):
    help = ("工作日历：feidi calendar status 列出已知年度；"
            "feidi calendar import-notice 通知.txt --year 2027 [--yes] 识别国务院办公厅节假日安排通知并保存")

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["status", "import-notice"])
        parser.add_argument("file", nargs="?", help="通知原文（UTF-8 文本）")
        parser.add_argument("--year", type=int)
        parser.add_argument("--yes", action="store_true", help="识别无误时直接保存（否则只显示识别结果）")

    def handle(self, *args, **options):
        from django.utils import timezone

        from feidi.core import holidays
        from feidi.core.calendar import current_calendar
        from feidi.core.calendar import missing_next_year
        from feidi.core.models import CalendarYear

        if options["action"] == "status":
            cal = current_calendar()
            entered = set(CalendarYear.objects.values_list("year", flat=True))
            this = timezone.localdate().year
            for year in range(this - 2, this + 2):
                state = "已录入" if year in entered else "内置" if cal.knows(year) else "未录入"
                self.stdout.write(f"{year}年：{state}")
            if (year := missing_next_year()) is not None:
                self.stderr.write(self.style.WARNING(f"{year}年的节假日安排尚未录入"))
            return
        if not options["file"] or not options["year"]:
            raise CommandError("用法：feidi calendar import-notice 通知.txt --year 2027 [--yes]")
        text = Path(options["file"]).read_text(encoding="utf-8")
        draft = holidays.from_notice(text, options["year"])
        for p in draft.periods:
            self.stdout.write(f"{p.name}：{p.first:%Y-%m-%d} 至 {p.last:%Y-%m-%d}（{len(p.days)}天）")
        for name, d in draft.workdays:
            self.stdout.write(f"调休上班：{d:%Y-%m-%d}（{name}）")
        for note in draft.notes:
            self.stdout.write(self.style.WARNING(note))
        if draft.problems:
            for problem in draft.problems:
                self.stderr.write(self.style.ERROR(problem))
            raise CommandError("识别有误，未保存")
        if not options["yes"]:
            self.stdout.write("核对无误后加 --yes 保存")
            return
        with acting("cli"):
            holidays.do_save_calendar_year(draft, source="notice", notice=text, acting_user=None)
        self.stdout.write(self.style.SUCCESS(f"已保存{options['year']}年节假日安排"))
