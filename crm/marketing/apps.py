from django.apps import AppConfig


class MarketingConfig(AppConfig):
    name = "crm.marketing"
    label = "marketing"
    verbose_name = "Marketing"
