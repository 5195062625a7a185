from django.apps import AppConfig


class TechmarketConfig(AppConfig):
    name = "feidi.techmarket"
    label = "techmarket"
    verbose_name = "科技大市场"

    def ready(self):
        from . import jobs  # noqa: F401  (pushes of new matches, the auctions' close sweep)
