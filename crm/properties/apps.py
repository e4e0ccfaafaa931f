from django.apps import AppConfig


class PropertiesConfig(AppConfig):
    name = "crm.properties"
    label = "properties"
    verbose_name = "Properties"
