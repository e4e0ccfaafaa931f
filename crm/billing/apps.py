from django.apps import AppConfig


class BillingConfig(AppConfig):
    name = "crm.billing"
    label = "billing"
    verbose_name = "Billing"
