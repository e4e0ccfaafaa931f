from django.apps import AppConfig


class ComplianceConfig(AppConfig):
    name = "crm.compliance"
    label = "compliance"
    verbose_name = "Compliance"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from crm.compliance import rules_cache
        from crm.compliance.models import AcceptedPhrase, FairHousingRule

        # A changed rule takes effect on this process's next check (others: rules_cache.REFRESH_SECONDS).
        for model in (FairHousingRule, AcceptedPhrase):
            post_save.connect(rules_cache.invalidate, sender=model, dispatch_uid=f"fh-saved-{model.__name__}")
            post_delete.connect(rules_cache.invalidate, sender=model, dispatch_uid=f"fh-deleted-{model.__name__}")
