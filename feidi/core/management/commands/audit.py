from django.core.management.base import BaseCommand, CommandError

from feidi.core import audit


class Command(BaseCommand):
    help = "审计链：feidi audit verify 校验哈希链，发现篡改或删除时以非零状态退出"

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["verify"])

    def handle(self, *args, **options):
        result = audit.verify()
        if not result.ok:
            for problem in result.problems:
                self.stderr.write(problem)
            raise CommandError(f"审计链被破坏：{len(result.problems)} 处问题（已校验 {result.checked} 条）")
        self.stdout.write(self.style.SUCCESS(f"审计链完整：已校验 {result.checked} 条记录"))
