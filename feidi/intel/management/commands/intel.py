import datetime as dt
import time

from django.core.management.base import BaseCommand
from django.core.management.base import CommandError
from django.utils import timezone


class Command(BaseCommand):
    help = ("招商情报：feidi intel eval 在标注集上报告各字段的准确率与召回率（开发集、留出集）；"
            "feidi intel import-folder <目录> --user <用户名> 导入本地目录中的 .txt/.html/.docx/.pdf；"
            "feidi intel fetch-feed <地址> --user <用户名> 读取内网 RSS/Atom 订阅源；"
            "feidi intel digest 发送昨日情报日报")

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["eval", "import-folder", "fetch-feed", "digest"])
        parser.add_argument("target", nargs="?", help="目录或订阅源地址")
        parser.add_argument("--user", help="以该用户身份导入（情报归其部门）")
        parser.add_argument("--errors", action="store_true", help="eval：列出开发集上的错误")
        parser.add_argument("--path", help="eval：标注集文件（默认 feidi/intel/evaluation/news.jsonl）")

    def handle(self, *args, **options):
        action = options["action"]
        if action == "eval":
            return self._eval(options)
        if action == "digest":
            from feidi.core.context import acting
            from feidi.intel.actions import send_digest

            with acting("cli"):
                n = send_digest(timezone.localdate() - dt.timedelta(days=1))
            self.stdout.write(f"已发送 {n} 人")
            return
        from feidi.accounts.models import User

        if not options["target"] or not options["user"]:
            raise CommandError("需要目录或地址，以及 --user")
        user = User.objects.filter(username=options["user"]).first()
        if user is None:
            raise CommandError(f"用户不存在：{options['user']}")
        from django.core.exceptions import ValidationError

        from feidi.core.context import acting
        from feidi.intel import intake
        from feidi.intel import sources
        from feidi.intel.actions import do_add_item

        def skipped(path, exc):
            self.stderr.write(f"{path}: {'；'.join(exc.messages)}")

        added = 0
        with acting("cli"):  # the operator's own command: any folder or address, file:// included
            try:
                texts = (sources.folder_texts(options["target"], on_error=skipped) if action == "import-folder"
                         else sources.feed_texts(intake.fetch(options["target"]), options["target"][:100]))
                for title, text, published_on, name, kind, url in texts:
                    do_add_item(acting_user=user, title=title, text=text, published_on=published_on, source=name,
                                source_kind=kind, url=url)
                    added += 1
            except ValidationError as exc:
                raise CommandError("；".join(exc.messages)) from exc
        self.stdout.write(self.style.SUCCESS(f"已导入 {added} 条，分析已排入任务队列"))

    def _eval(self, options):
        from feidi.intel.evaluation import FIELDS
        from feidi.intel.evaluation import PATH
        from feidi.intel.evaluation import evaluate
        from feidi.intel.evaluation import load
        from feidi.intel.evaluation import split

        items = load(options["path"] or PATH)
        started = time.perf_counter()
        halves = {name: evaluate(part) for name, part in split(items).items()}
        elapsed = time.perf_counter() - started
        self.stdout.write(f"标注集：{len(items)} 条（开发集 = 奇数编号，留出集 = 偶数编号，规则不在留出集上调整）")
        self.stdout.write(f"{'字段':<10}{'开发集 P':>10}{'R':>8}{'F1':>8}{'留出集 P':>12}{'R':>8}{'F1':>8}")
        for f in FIELDS:
            d, h = halves["dev"][f], halves["heldout"][f]
            self.stdout.write(f"{f:<12}{d.precision:>10.3f}{d.recall:>8.3f}{d.f1:>8.3f}"
                              f"{h.precision:>12.3f}{h.recall:>8.3f}{h.f1:>8.3f}")
        self.stdout.write(f"用时 {elapsed:.1f} 秒")
        if options["errors"]:
            for f in FIELDS:
                for item_id, wrong, missed in halves["dev"][f].errors:
                    self.stdout.write(f"[{f}] #{item_id} 多出 {wrong} 漏掉 {missed}")
