from django.apps import AppConfig


class InboxConfig(AppConfig):
    name = "crm.inbox"
    label = "inbox"
