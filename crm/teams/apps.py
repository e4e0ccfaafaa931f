from django.apps import AppConfig


class TeamsConfig(AppConfig):
    name = "crm.teams"
    label = "teams"
