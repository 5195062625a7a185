import time

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "经济运行：feidi indicators rebuild-cells 由指标数据重算全部汇总单元（恢复备份后或核对时使用）"

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["rebuild-cells"])

    def handle(self, *args, **options):
        from feidi.indicators.cells import rebuild

        started = time.perf_counter()
        written = rebuild()  # derived data only: nothing to audit
        self.stdout.write(self.style.SUCCESS(f"已重算汇总单元 {written} 个，用时 {time.perf_counter() - started:.1f} 秒"))
