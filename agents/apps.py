from django.apps import AppConfig


class AgentsConfig(AppConfig):
    name = "agents"

    def ready(self) -> None:
        # Connects the inbox's "inbound message" signal to the auto-reply (and registers its task).
        from agents import autoreply  # noqa: F401
