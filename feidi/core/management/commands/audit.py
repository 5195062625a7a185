from django.core.management.base import BaseCommand
from django.core.management.base import CommandError

from feidi.core import audit


class Command(BaseCommand):
    help = ("审计链：feidi audit verify 校验哈希链与库外锚点，发现篡改或删除时以非零状态退出；"
            "feidi audit anchor 立即签名记录当前链头")

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["verify", "anchor"])

    def handle(self, *args, **options):
        if options["action"] == "anchor":
            line = audit.anchor()
            self.stdout.write(self.style.SUCCESS(f"已记录链头：第{line['seq']}条，共{line['count']}条"))
            return
        result = audit.verify()
        if not result.ok:
            for problem in result.problems:
                self.stderr.write(problem)
            raise CommandError(f"审计链被破坏：{len(result.problems)} 处问题（已校验 {result.checked} 条）")
        self.stdout.write(self.style.SUCCESS(f"审计链完整：已校验 {result.checked} 条记录"))
