"""Fair Housing rules (global data operators extend) and each team's compliance settings.

Rules and accepted phrases are not tenant data: they are the law as Loriaa reads it, shared by
every team and edited by operators in the Django admin. What varies per team is which local
protected classes apply (``ComplianceSettings``) and which properties qualify as housing for
older persons (``OlderPersonsHousing``).
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django_scopes import ScopedManager

from crm.compliance.engine import AcceptedSpec, RuleSpec, validate_pattern
from crm.properties.models import Property
from crm.teams.models import Team, TeamOwned
from loriaa.ids import uuid7


class Category(models.TextChoices):
    RACE = "race", "Race"
    COLOR = "color", "Color"
    RELIGION = "religion", "Religion"
    SEX = "sex", "Sex"
    DISABILITY = "disability", "Disability (handicap)"
    FAMILIAL_STATUS = "familial_status", "Familial status"
    NATIONAL_ORIGIN = "national_origin", "National origin"
    SOURCE_OF_INCOME = "source_of_income", "Source of income"
    AGE = "age", "Age"
    MARITAL_STATUS = "marital_status", "Marital status"
    SEXUAL_ORIENTATION = "sexual_orientation", "Sexual orientation"
    GENDER_IDENTITY = "gender_identity", "Gender identity"
    MILITARY_STATUS = "military_status", "Military or veteran status"


FEDERAL_CATEGORIES = frozenset(
    {
        Category.RACE,
        Category.COLOR,
        Category.RELIGION,
        Category.SEX,
        Category.DISABILITY,
        Category.FAMILIAL_STATUS,
        Category.NATIONAL_ORIGIN,
    }
)
LOCAL_CATEGORIES = frozenset(Category) - FEDERAL_CATEGORIES
# Source of income is protected in over twenty states and many cities: on unless a team turns it off.
DEFAULT_LOCAL_CATEGORIES = frozenset({Category.SOURCE_OF_INCOME})


class PatternKind(models.TextChoices):
    PHRASE = "phrase", "Phrase"
    REGEX = "regex", "Regular expression"


PATTERN_HELP = (
    "A phrase matches whole words, in any case, with spaces or hyphens between them, in singular or plural: "
    '"no kid" also finds "No-Kids". A regular expression is matched case-insensitively on word boundaries.'
)


def _clean_pattern(kind: str, pattern: str) -> None:
    try:
        validate_pattern(kind, pattern)
    except ValueError as exc:
        raise ValidationError({"pattern": str(exc)}) from exc


class FairHousingRule(models.Model):
    """Words or a pattern that state a preference, limitation or discrimination, and why."""

    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    key = models.CharField(
        max_length=80, blank=True, editable=False, help_text="Set on the rules Loriaa ships; empty on rules added here."
    )
    kind = models.CharField(max_length=8, choices=PatternKind.choices, default=PatternKind.PHRASE)
    pattern = models.TextField(help_text=PATTERN_HELP)
    category = models.CharField(max_length=32, choices=Category.choices)
    reason = models.TextField(help_text="Why this is a problem, shown to whoever wrote the text.")
    suggestion = models.CharField(
        max_length=200,
        blank=True,
        help_text="A neutral replacement; empty to suggest removing the words. A regex rule may use its groups: \\1.",
    )
    older_persons_exempt = models.BooleanField(
        default=False,
        help_text="Lawful in a property that qualifies as housing for older persons (HOPA, 55+ or 62+).",
    )
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["category", "key", "pattern"]
        verbose_name = "Fair Housing rule"
        constraints = [models.UniqueConstraint(fields=["key"], condition=~Q(key=""), name="fair_housing_rule_key")]

    def __str__(self) -> str:
        return f"{self.get_category_display()}: {self.key or self.pattern[:60]}"

    @property
    def is_shipped(self) -> bool:
        return bool(self.key)

    def clean(self) -> None:
        _clean_pattern(self.kind, self.pattern)

    def as_spec(self) -> RuleSpec:
        return RuleSpec(
            kind=self.kind,
            pattern=self.pattern,
            category=self.category,
            reason=self.reason,
            suggestion=self.suggestion,
            older_persons_exempt=self.older_persons_exempt,
        )


class AcceptedPhrase(models.Model):
    """Words that are fine even though a rule would flag part of them ("family room")."""

    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    key = models.CharField(max_length=80, blank=True, editable=False)
    kind = models.CharField(max_length=8, choices=PatternKind.choices, default=PatternKind.PHRASE)
    pattern = models.TextField(help_text=PATTERN_HELP)
    note = models.TextField(blank=True, help_text="Why this is accepted.")
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["key", "pattern"]
        constraints = [models.UniqueConstraint(fields=["key"], condition=~Q(key=""), name="accepted_phrase_key")]

    def __str__(self) -> str:
        return self.key or self.pattern[:60]

    def clean(self) -> None:
        _clean_pattern(self.kind, self.pattern)

    def as_spec(self) -> AcceptedSpec:
        return AcceptedSpec(kind=self.kind, pattern=self.pattern)


def default_local_classes() -> list[str]:
    return sorted(DEFAULT_LOCAL_CATEGORIES)


class ComplianceSettings(TeamOwned):
    """Which local protected classes the team's jurisdictions add to the federal ones."""

    team = models.OneToOneField(Team, on_delete=models.CASCADE, related_name="compliance_settings")
    local_classes = ArrayField(
        models.CharField(max_length=32, choices=[(c.value, c.label) for c in Category if c in LOCAL_CATEGORIES]),
        default=default_local_classes,
        blank=True,
        help_text="Checked in addition to the federal classes.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects: ClassVar[Any] = ScopedManager(team="team")

    class Meta:
        default_manager_name = "objects"
        verbose_name = "compliance settings"
        verbose_name_plural = "compliance settings"

    def __str__(self) -> str:
        return f"Compliance settings of {self.team_id}"


class OlderPersonsBasis(models.TextChoices):
    AGE_55 = "55", "55 or older: at least 80% of occupied units have a resident 55+, with published policies"
    AGE_62 = "62", "62 or older: every resident is 62+"
    GOVERNMENT_PROGRAM = "program", "A state or federal program for elderly persons"


class OlderPersonsHousing(TeamOwned):
    """A property that qualifies as housing for older persons (42 U.S.C. 3607(b), HOPA).

    Such housing is exempt from the familial-status provisions, so "55+ community" is lawful in
    its ads. Whoever sets this keeps the evidence (occupancy surveys, policies) on file.
    """

    property = models.OneToOneField(Property, on_delete=models.CASCADE, related_name="older_persons_housing")
    basis = models.CharField(max_length=8, choices=OlderPersonsBasis.choices, default=OlderPersonsBasis.AGE_55)
    verified_on = models.DateField(null=True, blank=True, help_text="When the qualification was last verified.")
    notes = models.TextField(blank=True)

    objects: ClassVar[Any] = ScopedManager(team="team")

    class Meta:
        default_manager_name = "objects"
        verbose_name = "housing for older persons"
        verbose_name_plural = "housing for older persons"

    def __str__(self) -> str:
        return f"{self.property_id} ({self.basis}+)"

    def clean(self) -> None:
        if self.property_id and self.team_id and self.property.team_id != self.team_id:
            raise ValidationError({"property": "The property belongs to another team."})
