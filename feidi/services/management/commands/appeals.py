from django.core.management.base import BaseCommand

from feidi.core.context import acting


class Command(BaseCommand):
    help = "企业诉求：feidi appeals sweep 将所有超过本级期限的诉求升级一级（可重复执行）"

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["sweep"])

    def handle(self, *args, **options):
        from feidi.services.actions import sweep

        with acting("cli"):
            count = sweep()
        self.stdout.write(self.style.SUCCESS(f"已升级 {count} 件逾期诉求"))
