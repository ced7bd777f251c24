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
class FollowUpPlan:
    """A follow-up she planned: done by the activity that carries it, or still ahead."""

    due_at: dt.datetime
    channel: str
    purpose: str
    minutes: int
    person: int | None
    value_to_bring: str = ""
    delegated: bool = False  # to her junior colleague


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
    story: str = ""  # what the demo shows with it (funnel.demo.selling.STORIES), if anything
    # The follow-up plan asked of the customer (docs/method.md §2.1); None: her defaults.
    follow_up_every_days: int | None = None
    follow_up_channel: str = ""
    # Her next follow-up, if the app does not plan it itself (a request, a nurture touch).
    next_follow_up: FollowUpPlan | None = None
    delivery_on: dt.date | None = None  # won deals: when the customer gets the work

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
    carries: FollowUpPlan | None = None  # the follow-up this contact carried out
    # Written through funnel.followup.actions.log_activity, so the app itself plans what
    # follows: requests (and their answers) and nurture touches.
    logged: bool = False
    post_sale_step: int | None = None  # the step of her after-the-sale sequence it carries out


@dataclass
class DemoPlan:
    organisations: list[OrganisationPlan]
    people: list[PersonPlan]
    opportunities: list[OpportunityPlan]
    activities: list[ActivityPlan]
