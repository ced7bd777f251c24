"""The demo plan as plain data; indexes point into the plan's lists, not at database rows."""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from funnel.sales.models import Level


@dataclass
class OrganisationPlan:
    name: str
    sector: str
    size: int
    country: str
    city: str
    website: str
    notes: str = ""
    created: dt.datetime | None = None
    ratings: tuple[int, ...] = ()  # one per psychographic trait, in order; empty: not rated


@dataclass
class PersonPlan:
    name: str
    job_title: str
    organisation: int
    role: str  # the buying role their job suggests
    language: str
    preferred_channel: str
    emails: list[tuple[str, str]]  # (kind, address)
    phones: list[tuple[str, str]]  # (kind, number)
    notes: str = ""
    created: dt.datetime | None = None


@dataclass
class InfluencePlan:
    person: int
    role: str
    status: str
    fit_confirmed: bool
    notes: str = ""


@dataclass
class MovePlan:
    to_level: str
    at: dt.datetime
    reason: str = ""
    override_reason: str = ""  # why she moved it with a prerequisite unmet
    # Set just before the move: the buying influences as they stood then (None: unchanged) and
    # the close date she expected then (None: the opportunity's own).
    influences: list[InfluencePlan] | None = None
    expected_close_on: dt.date | None = None


@dataclass
class OpportunityPlan:
    title: str
    organisation: int
    main_contact: int
    value: Decimal
    currency: str
    source: str
    first_contact_on: dt.date
    expected_close_on: dt.date | None
    started: dt.datetime  # the first contact, when it entered the funnel
    moves: list[MovePlan] = field(default_factory=list)
    influences: list[InfluencePlan] = field(default_factory=list)  # as they stand today
    updated: dt.datetime | None = None
    next_step: str = ""
    next_step_at: dt.datetime | None = None

    @property
    def level(self) -> str:
        return self.moves[-1].to_level if self.moves else Level.ABOVE


@dataclass
class ActivityPlan:
    occurred: dt.datetime
    kind: str
    channel: str
    outcome: str
    minutes: int
    notes: str
    person: int | None
    opportunity: int | None


@dataclass
class DemoPlan:
    organisations: list[OrganisationPlan]
    people: list[PersonPlan]
    opportunities: list[OpportunityPlan]
    activities: list[ActivityPlan]
