"""The inbox screens. Each module owns its routes (``crm/inbox/urls.py`` lists them)."""
