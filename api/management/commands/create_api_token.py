from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from api.models import token_create
from crm.accounts.models import User
from crm.teams.models import Membership, Team
from crm.teams.scoping import team_scope


class Command(BaseCommand):
    help = "Create an API token for a user in a team and print it (it is shown only once)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--email", required=True)
        parser.add_argument("--team", required=True, help="The team's slug.")
        parser.add_argument("--name", default="CLI token")

    def handle(self, *args: Any, email: str, team: str, name: str, **options: Any) -> None:
        team_obj = Team.objects.filter(slug=team).first()
        if team_obj is None:
            raise CommandError(f"No team with slug {team!r}.")
        user = User.objects.filter(email__iexact=email).first()
        if user is None:
            raise CommandError(f"No user with email {email!r}.")
        with team_scope(team_obj):
            if not Membership.objects.filter(user=user).exists():
                raise CommandError(f"{email} is not a member of {team_obj.slug}.")
            _, key = token_create(team=team_obj, user=user, name=name)
        self.stdout.write(key)
