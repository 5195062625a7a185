from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The deterministic demo city (``feidi demo``) and the demo logins ``feidi serve`` prints."""

    name = "feidi.demo"
    label = "demo"
    verbose_name = "演示数据"

    def ready(self):
        from feidi.core.startup import add_banner

        from .logins import describe_logins

        add_banner(describe_logins)
