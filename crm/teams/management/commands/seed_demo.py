"""Create (or top up) a demo team that a person can log into straight away.

Idempotent: running it again creates nothing new and changes no password unless ``--password``
is given. Later parts of the product add their own demo data through ``DEMO_SEEDERS``.
"""

from __future__ import annotations

from typing import Any

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.urls import reverse
from django.utils.module_loading import import_string

from crm.accounts.models import User
from crm.teams.models import Membership, Team
from crm.teams.roles import Role
from crm.teams.scoping import team_scope

DEFAULT_PASSWORD = "loriaa-demo-2026"  # noqa: S105 - demo accounts only; printed on purpose

PEOPLE = [
    ("owner", "Olivia Owner", Role.OWNER),
    ("admin", "Adam Admin", Role.ADMIN),
    ("manager", "Maya Manager", Role.MANAGER),
    ("agent", "Alex Agent", Role.AGENT),
    ("viewer", "Vic Viewer", Role.VIEWER),
]

# Dotted paths to callables ``seed(team, stdout)`` that add demo data for other apps.
DEMO_SEEDERS: list[str] = ["crm.leads.demo.seed", "knowledge.demo.seed", "crm.inbox.demo.seed"]


class Command(BaseCommand):
    help = "Create a demo team with one user per role, verified and ready to log in."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--team", default="demo", help="Slug of the demo team (default: demo).")
        parser.add_argument(
            "--password", default=None, help=f"Password for the demo users (default: {DEFAULT_PASSWORD})."
        )

    @transaction.atomic
    def handle(self, *args: Any, team: str, password: str | None, **options: Any) -> None:
        slug = team.strip().lower()
        if not slug or not slug.replace("-", "").isalnum():
            raise CommandError("--team must be a slug: letters, digits and hyphens.")
        team_obj, created = Team.objects.get_or_create(
            slug=slug,
            defaults={
                "name": "Demo Properties" if slug == "demo" else slug.replace("-", " ").title(),
                "postal_address": "100 Main Street, Suite 200\nAustin, TX 78701",
            },
        )
        with team_scope(team_obj):
            for local, name, role in PEOPLE:
                email = f"{local}@{slug}.example"
                user = User.objects.filter(email=email).first()
                if user is None:
                    user = User.objects.create_user(email=email, password=password or DEFAULT_PASSWORD, name=name)
                elif password:
                    user.set_password(password)
                    user.save(update_fields=["password"])
                EmailAddress.objects.update_or_create(
                    user=user, email=email, defaults={"verified": True, "primary": True}
                )
                Membership.objects.get_or_create(team=team_obj, user=user, defaults={"role": role})
            for path in DEMO_SEEDERS:
                import_string(path)(team_obj, self.stdout)

        shown = password or DEFAULT_PASSWORD
        self.stdout.write(
            self.style.SUCCESS(f"{'Created' if created else 'Updated'} demo team “{team_obj.name}” ({slug}).")
        )
        self.stdout.write(f"Log in at {settings.SITE_URL}{reverse('account_login')} with any of:")
        for local, _, role in PEOPLE:
            self.stdout.write(f"  {local}@{slug}.example  ({role.label})")
        note = "" if (created or password) else "  (as first seeded; pass --password to reset it)"
        self.stdout.write(f"Password: {shown}{note}")
