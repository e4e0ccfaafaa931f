from __future__ import annotations

from datetime import timedelta

import factory
from allauth.account.models import EmailAddress
from django.utils import timezone

from crm.accounts.models import User
from crm.teams.models import Invitation, Membership, Team
from crm.teams.roles import Role

PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.com")
    name = factory.Faker("name")

    @factory.post_generation
    def password(self, create: bool, extracted: str | None, **kwargs: object) -> None:
        self.set_password(extracted or PASSWORD)
        if create:
            self.save(update_fields=["password"])

    @factory.post_generation
    def verified(self, create: bool, extracted: bool | None, **kwargs: object) -> None:
        if create and extracted is not False:
            EmailAddress.objects.create(user=self, email=self.email, verified=True, primary=True)


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team

    name = factory.Sequence(lambda n: f"Team {n}")
    slug = factory.Sequence(lambda n: f"team-{n}")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    team = factory.SubFactory(TeamFactory)
    user = factory.SubFactory(UserFactory)
    role = Role.AGENT


class InvitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Invitation

    team = factory.SubFactory(TeamFactory)
    email = factory.Sequence(lambda n: f"invitee{n}@example.com")
    role = Role.AGENT
    token_hash = factory.LazyFunction(lambda: Invitation.new_token()[1])
    expires_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=7))


def invitation_with_token(**kwargs: object) -> tuple[Invitation, str]:
    raw, digest = Invitation.new_token()
    return InvitationFactory(token_hash=digest, **kwargs), raw


# --- Properties and leads ------------------------------------------------------------------


class PropertyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "properties.Property"

    team = factory.SubFactory(TeamFactory)
    name = factory.Sequence(lambda n: f"The Residences {n}")
    city = "Austin"
    state = "TX"
    timezone = "America/Chicago"


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "properties.Unit"

    property = factory.SubFactory(PropertyFactory)
    team = factory.SelfAttribute("property.team")
    number = factory.Sequence(lambda n: f"{100 + n}")
    beds = 2
    rent = 1650


class LeadFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "leads.Lead"

    team = factory.SubFactory(TeamFactory)
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.Sequence(lambda n: f"prospect{n}@example.net")
    phone = factory.Sequence(lambda n: f"+1512555{n % 10000:04d}")
    source = "website"
