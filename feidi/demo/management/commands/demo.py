from django.core.management.base import BaseCommand

from feidi.demo import city
from feidi.demo.logins import DEMO_PASSWORD
from feidi.demo.logins import DEMO_TOTP_SECRET
from feidi.demo.logins import DEMO_USERS


class Command(BaseCommand):
    help = "加载演示数据：上饶市的开发区与“双向飞地”（可重复运行，只补齐缺少的记录）"

    def handle(self, *args, **options):
        from django.db import transaction

        from feidi.core.context import acting
        from feidi.demo import indicators
        from feidi.demo import intel
        from feidi.demo import policies
        from feidi.demo import projects
        from feidi.demo import services
        from feidi.demo import statistics
        from feidi.demo import techmarket
        from feidi.demo import techmarket_auction
        from feidi.demo import techmarket_challenges

        result = city.load()
        # in this order: the enterprise service, the chains and the pipeline, the indicators; the market
        # (demands, supplies, talents, pushes), then its challenges and auctions; the classifications the
        # seeds' sentences use and the leader's saved 统计查询; 惠企政策 matched against the enterprises,
        # labels, values and talents loaded before; a few invented news items for the daily intelligence list
        modules = (services, projects, indicators, techmarket, techmarket_challenges, techmarket_auction, statistics,
                   policies, intel)
        with acting("cli"), transaction.atomic():
            for module in modules:
                result["created"].update({k: v for k, v in module.load().items() if v})
        created = result["created"]
        if created:
            parts = "，".join(f"{name} {n}" for name, n in created.items())
            self.stdout.write(self.style.SUCCESS(f"演示数据已加载：新增 {parts}。"))
        else:
            self.stdout.write(self.style.SUCCESS("演示数据已是最新，无需新增。"))
        totals = "，".join(f"{name} {n}" for name, n in result["totals"].items())
        self.stdout.write(f"现有：{totals}。")
        self.stdout.write("各园区与飞地单位数：" + "，".join(
            f"{name} {n}" for name, n in sorted(result["per_zone"].items(), key=lambda kv: -kv[1])))
        self.stdout.write(f"演示账号（密码均为 {DEMO_PASSWORD}）：")
        for username, role in DEMO_USERS:
            self.stdout.write(f"  {username:<14} {role}")
        self.stdout.write(f"管理员动态口令（TOTP）密钥：{DEMO_TOTP_SECRET}（sysadmin、secadmin、auditor 共用，仅限演示）")
        self.stdout.write("带“示例”标记的数据为虚构；统一社会信用代码、手机号、身份证号均为合成数据。")
