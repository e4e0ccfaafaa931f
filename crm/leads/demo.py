"""Demo data for ``seed_demo``: three properties with units and a few hundred leads.

Deterministic (a fixed random seed) and idempotent (a team that already has the demo
properties is left alone), so the demo looks the same on every laptop.
"""

from __future__ import annotations

import random
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from crm.accounts.models import User
from crm.leads.models import ActivityKind, Lead, LeadActivity, LostReason, Source, Stage, Task, TaskKind
from crm.properties.models import Property, PropertyAgent, Unit, UnitStatus
from crm.teams.models import Membership, Team
from crm.teams.roles import Role

PROPERTIES = [
    {
        "name": "Riverside Commons",
        "street": "410 E Riverside Dr",
        "city": "Austin",
        "state": "TX",
        "postal_code": "78704",
        "timezone": "America/Chicago",
        "sms_number": "+15125550100",
        "area": "512",
    },
    {
        "name": "Maple Court",
        "street": "1550 Maple Ave",
        "city": "Denver",
        "state": "CO",
        "postal_code": "80203",
        "timezone": "America/Denver",
        "sms_number": "+13035550100",
        "area": "303",
    },
    {
        "name": "Harbor View Lofts",
        "street": "88 Alaskan Way",
        "city": "Seattle",
        "state": "WA",
        "postal_code": "98104",
        "timezone": "America/Los_Angeles",
        "sms_number": "+12065550100",
        "area": "206",
    },
]
FLOOR_PLANS = [
    ("Studio S1", 0, "1.0", 520, 1295),
    ("A1", 1, "1.0", 710, 1525),
    ("B1", 2, "2.0", 1040, 1995),
    ("C1", 3, "2.0", 1320, 2450),
]
FIRST = [
    "Ava",
    "Liam",
    "Maya",
    "Noah",
    "Sofia",
    "Ethan",
    "Zoe",
    "Lucas",
    "Chloe",
    "Mateo",
    "Priya",
    "Omar",
    "Grace",
    "Diego",
    "Hannah",
    "Kai",
    "Leah",
    "Jamal",
    "Nina",
    "Owen",
    "Aisha",
    "Ben",
    "Camila",
    "Dev",
]
LAST = [
    "Nguyen",
    "Garcia",
    "Smith",
    "Johnson",
    "Patel",
    "Kim",
    "Okafor",
    "Rossi",
    "Cohen",
    "Silva",
    "Brown",
    "Martinez",
    "Lee",
    "Walker",
    "Haddad",
    "Novak",
    "Tanaka",
    "Murphy",
    "Singh",
    "Lopez",
]
SOURCES = [
    (Source.WEBSITE, 26),
    (Source.ZILLOW, 18),
    (Source.APARTMENTS_COM, 16),
    (Source.FACEBOOK, 10),
    (Source.GOOGLE_ADS, 10),
    (Source.INSTAGRAM, 6),
    (Source.PHONE, 6),
    (Source.WALK_IN, 4),
    (Source.REFERRAL, 3),
    (Source.OTHER, 1),
]
STAGES = [
    (Stage.NEW, 30),
    (Stage.CONTACTED, 25),
    (Stage.TOUR_SCHEDULED, 10),
    (Stage.TOURED, 9),
    (Stage.APPLIED, 6),
    (Stage.LEASED, 8),
    (Stage.LOST, 12),
]
PETS = ["", "", "", "1 dog", "2 cats", "1 cat", "small dog"]
LEADS_PER_PROPERTY = 100


@transaction.atomic
def seed(team: Team, stdout: Any) -> None:
    if Property.objects.filter(name=PROPERTIES[0]["name"]).exists():
        stdout.write("Demo properties and leads already present.")
        return
    rng = random.Random(2026)  # noqa: S311 - reproducible demo data, not security
    workers = [m.user for m in Membership.objects.select_related("user") if m.has_role(Role.AGENT)]
    now = timezone.now()
    lead_count = 0
    for number, spec in enumerate(PROPERTIES):
        spec = dict(spec)
        area = spec.pop("area")
        prop = Property.objects.create(
            team=team,
            email=f"leasing{number + 1}@{team.slug}.example",
            website=f"https://{team.slug}.example/{number + 1}",
            **spec,
        )
        _units(team, prop, rng, now)
        for user in workers[:2] if number else workers:
            PropertyAgent.objects.create(team=team, property=prop, user=user)
        lead_count += _leads(team, prop, rng, now, area, workers)
    stdout.write(f"Added {len(PROPERTIES)} properties with units and {lead_count} leads.")


def _units(team: Team, prop: Property, rng: random.Random, now: Any) -> None:
    units = []
    for floor in range(1, 5):
        for slot in range(1, 9):
            plan, beds, baths, sqft, rent = FLOOR_PLANS[(floor + slot) % len(FLOOR_PLANS)]
            status = rng.choices(list(UnitStatus), weights=[22, 8, 65, 2, 3])[0]
            vacant_soon = status in {UnitStatus.AVAILABLE, UnitStatus.NOTICE}
            units.append(
                Unit(
                    team=team,
                    property=prop,
                    number=f"{floor}{slot:02d}",
                    floor_plan=plan,
                    beds=beds,
                    baths=Decimal(baths),
                    square_feet=sqft + rng.randint(-20, 40),
                    rent=Decimal(rent + rng.randint(0, 8) * 25),
                    status=status,
                    available_on=(now + timedelta(days=rng.randint(0, 60))).date() if vacant_soon else None,
                )
            )
    Unit.objects.bulk_create(units)


def _leads(team: Team, prop: Property, rng: random.Random, now: Any, area: str, workers: list[User]) -> int:
    leads, activities, tasks = [], [], []
    for index in range(LEADS_PER_PROPERTY):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        created = now - timedelta(days=rng.uniform(0, 90), minutes=rng.randint(0, 600))
        stage = rng.choices([s for s, _ in STAGES], weights=[w for _, w in STAGES])[0]
        source = rng.choices([s for s, _ in SOURCES], weights=[w for _, w in SOURCES])[0]
        changed = created + (now - created) * rng.uniform(0, 1) if stage != Stage.NEW else created
        beds = rng.choice([0, 1, 1, 2, 2, 2, 3])
        budget = 1200 + beds * 350 + rng.randint(0, 8) * 50
        lead = Lead(
            team=team,
            property=prop,
            first_name=first,
            last_name=last,
            email=f"{first}.{last}.{index}@example.com".lower(),
            phone=f"+1{area}555{1000 + index:04d}" if rng.random() < 0.85 else "",
            source=source,
            stage=stage,
            lost_reason=rng.choice(list(LostReason)) if stage == Stage.LOST else "",
            desired_beds=beds,
            budget_min=budget - 200,
            budget_max=budget + 150,
            move_in_date=(now + timedelta(days=rng.randint(7, 120))).date(),
            pets=rng.choice(PETS),
            assigned_to=rng.choice(workers) if workers and rng.random() < 0.8 else None,
            stage_changed_at=changed,
            last_activity_at=changed,
        )
        leads.append(lead)
        activities.append(
            LeadActivity(
                team=team,
                lead=lead,
                kind=ActivityKind.CREATED,
                summary=f"Lead created from {lead.get_source_display()}",
            )
        )
        if stage != Stage.NEW:
            activities.append(
                LeadActivity(
                    team=team,
                    lead=lead,
                    kind=ActivityKind.STAGE_CHANGED,
                    summary=f"Moved from New to {Stage(stage).label}",
                    data={"from": "new", "to": stage},
                )
            )
        if lead.is_open and lead.assigned_to and rng.random() < 0.3:
            due = now + timedelta(hours=rng.randint(-48, 96))
            tasks.append(
                Task(
                    team=team,
                    lead=lead,
                    kind=TaskKind.FOLLOW_UP,
                    title=f"Follow up with {first}",
                    due_at=due,
                    assigned_to=lead.assigned_to,
                )
            )
            lead.next_follow_up_at = due
    Lead.objects.bulk_create(leads)
    LeadActivity.objects.bulk_create(activities)
    Task.objects.bulk_create(tasks)
    # bulk_create bypasses auto_now_add: spread the history over the last three months.
    for lead in leads:
        Lead.objects.filter(pk=lead.pk).update(
            created_at=lead.stage_changed_at
            if lead.stage == Stage.NEW
            else lead.stage_changed_at - timedelta(days=rng.uniform(0, 10))
        )
    return len(leads)
