from django.apps import AppConfig


class LeadsConfig(AppConfig):
    name = "crm.leads"
    label = "leads"
