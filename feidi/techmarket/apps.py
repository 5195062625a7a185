from django.apps import AppConfig


class TechmarketConfig(AppConfig):
    name = "feidi.techmarket"
    label = "techmarket"
    verbose_name = "科技大市场"
