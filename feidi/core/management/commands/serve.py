"""Serve with gunicorn (the production server), static files by whitenoise."""

import os
import sys

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "以生产服务器（gunicorn）提供服务"

    def add_arguments(self, parser):
        parser.add_argument("--bind", default=os.environ.get("FEIDI_BIND", "127.0.0.1:8000"))
        parser.add_argument("--workers", type=int, default=int(os.environ.get("FEIDI_WEB_WORKERS", "2")))
        parser.add_argument("--threads", type=int, default=int(os.environ.get("FEIDI_WEB_THREADS", "4")))

    def handle(self, *args, **options):
        from django.conf import settings

        workers, threads = options["workers"], options["threads"]
        if not settings.REDIS_URL and workers > 1:
            # without Redis each process keeps its own cache (the counts in the navigation, the
            # cockpit's figures): a second process would serve what the first has changed as it
            # was. One process, as many threads — SQLite takes one writer at a time anyway.
            workers, threads = 1, workers * threads
            self.stdout.write(self.style.WARNING(
                f"未配置 Redis（FEIDI_REDIS_URL）：各进程的缓存不共享，改以 1 个进程、{threads} 个线程提供服务"))
        host, _, port = options["bind"].rpartition(":")
        shown = "localhost" if host in {"127.0.0.1", "0.0.0.0", ""} else host
        self.stdout.write(self.style.SUCCESS(f"飞地 Feidi 已启动：http://{shown}:{port}/"))
        from feidi.core.startup import banner

        for line in banner():
            self.stdout.write(line)
        sys.stdout.flush()
        argv = [
            "gunicorn", "feidi.wsgi:application", "--bind", options["bind"],
            "--workers", str(workers), "--threads", str(threads),
            "--access-logfile", "-", "--timeout", "120", "--graceful-timeout", "20",
            "--forwarded-allow-ips", os.environ.get("FEIDI_FORWARDED_ALLOW_IPS", "127.0.0.1"),
        ]
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "feidi.settings")
        os.execvp(sys.executable, [sys.executable, "-m", *argv])
