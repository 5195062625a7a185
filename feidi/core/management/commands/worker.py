from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "运行后台任务进程（Huey consumer：导出、推送、升级扫描、定时报告）"

    def add_arguments(self, parser):
        parser.add_argument("--workers", type=int, default=2)

    def handle(self, *args, **options):
        call_command("run_huey", workers=options["workers"])
