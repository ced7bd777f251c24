"""Writes for follow-ups. Each is atomic and keeps the opportunity's next step in line.

The opportunity's `next_step` and `next_step_at` are a copy of its next planned follow-up, kept
by sync_next_step, so Today and the board can order by an indexed column.
"""

import contextlib
from datetime import date, datetime, timedelta
from typing import Any

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.db.models import Exists, F, Max, OuterRef, QuerySet
from django.forms import BaseModelFormSet
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from funnel.accounts.models import Profile
from funnel.followup import rules
from funnel.followup.facts import plan_of, stop_rule_suspects, working_hours_of
from funnel.followup.models import Anchor, FollowUp, Kind, PostSaleStep, Status
from funnel.lib.channels import Channel
from funnel.lib.refusals import Refused
from funnel.sales.actions import AlreadyMoved, move_opportunity
from funnel.sales.facts import sales_cycle
from funnel.sales.models import OPEN_LEVELS, Activity, Level, LevelChange, Opportunity

# Work that ends when a deal closes; nurture touches and post-sale steps outlive it.
SELLING = [Kind.FOLLOW_UP, Kind.REQUEST]


def proposed_follow_up(opportunity: Opportunity, *, after: datetime | None = None) -> FollowUp:
    """The next follow-up as the plan would have it, unsaved: the form starts from it.

    The plan's interval later, in the owner's working hours: a call at 20:53 is followed up
    on a working morning, not at 20:53.
    """
    plan, profile = plan_of(opportunity), opportunity.owner.profile
    follow_up = FollowUp(
        team=opportunity.team,
        opportunity=opportunity,
        person=opportunity.main_contact,
        assigned_to=opportunity.owner,
        kind=Kind.FOLLOW_UP,
        channel=plan.channel,
        purpose=_("Follow up"),
    )
    follow_up.due_at = rules.next_follow_up_at(
        after or timezone.now(),
        plan,
        profile.zone,
        hours=working_hours_of(profile),
        minutes=follow_up.minutes,
    )
    return follow_up


def sync_next_step(opportunity: Opportunity) -> None:
    """Copy the next planned follow-up onto the opportunity (or clear it when there is none)."""
    upcoming = (
        opportunity.follow_ups.planned()
        .filter(due_at__isnull=False)
        .order_by("due_at", "pk")
        .only("purpose", "due_at")
        .first()
    )
    step, at = (upcoming.purpose, upcoming.due_at) if upcoming else ("", None)
    if (opportunity.next_step, opportunity.next_step_at) != (step, at):
        opportunity.next_step, opportunity.next_step_at = step, at
        opportunity.save(update_fields=["next_step", "next_step_at", "updated"])


def claim(follow_up: FollowUp, **changes: object) -> bool:
    """Change a follow-up only if it is still planned: of two clicks, one claims it."""
    still_planned = FollowUp.objects.filter(pk=follow_up.pk, status=Status.PLANNED)
    claimed = still_planned.update(**changes, sequence=F("sequence") + 1, updated=timezone.now())
    if claimed:
        for name, value in changes.items():
            setattr(follow_up, name, value)
        follow_up.sequence += 1
    return bool(claimed)


def done_already(follow_up: FollowUp) -> Refused:
    return Refused(
        _("“%(purpose)s” was already done or cancelled: nothing was changed.")
        % {"purpose": follow_up.purpose}
    )


@transaction.atomic
def schedule(*, follow_up: FollowUp) -> FollowUp:
    """Save a new or changed follow-up; a changed one tells calendars it is a newer version.

    A follow-up done or cancelled meanwhile (another tab) is not brought back to life.
    """
    if follow_up.pk:
        if (
            not FollowUp.objects.select_for_update()
            .filter(pk=follow_up.pk, status=Status.PLANNED)
            .exists()
        ):
            raise done_already(follow_up)
        follow_up.sequence += 1
    follow_up.save()
    sync_next_step(follow_up.opportunity)
    return follow_up


def recovery_time(follow_up: FollowUp, *, now: datetime | None = None) -> datetime:
    """When to propose a missed follow-up again: the next working day after `now` (the clock's
    by default; an email is built for its own moment), at its usual time if that is within the
    owner's working hours, else when they start."""
    assert follow_up.due_at is not None
    profile = follow_up.opportunity.owner.profile
    usual = follow_up.due_at.astimezone(profile.zone).time()
    hours = working_hours_of(profile)
    now = now or timezone.now()
    return rules.recovery_slot(now, usual, hours, profile.zone, follow_up.minutes)


@transaction.atomic
def assign(*, opportunity: Opportunity, to: User) -> None:
    """Hand an opportunity to a colleague, with the follow-ups its owner was to do."""
    previous = opportunity.owner_id
    opportunity.owner = to
    opportunity.save(update_fields=["owner", "updated"])
    for follow_up in opportunity.follow_ups.planned().filter(assigned_to_id=previous):
        follow_up.assigned_to = to
        follow_up.sequence += 1
        follow_up.save(update_fields=["assigned_to", "sequence", "updated"])


@transaction.atomic
def cancel(*, follow_up: FollowUp) -> None:
    if not claim(follow_up, status=Status.CANCELLED):
        raise done_already(follow_up)
    sync_next_step(follow_up.opportunity)


def due_follow_up(opportunity: Opportunity, at: datetime) -> FollowUp | None:
    """The planned follow-up an activity at `at` carries out: the earliest due by that day."""
    end_of_day = datetime.combine(
        timezone.localdate(at, opportunity.owner.profile.zone) + timedelta(days=1),
        datetime.min.time(),
        opportunity.owner.profile.zone,
    )
    return (
        opportunity.follow_ups.planned()
        .filter(due_at__lt=end_of_day)
        .order_by("due_at", "pk")
        .first()
    )


@transaction.atomic
def log_activity(
    *,
    activity: Activity,
    by: User,
    follow_up: FollowUp | None = None,
    next_follow_up: FollowUp | None = None,
) -> Activity:
    """Record what happened and, in the same step, what happens next.

    The activity carries out `follow_up` (else the follow-up due by its day), which takes its
    outcome. A request from the customer gets an answer-by follow-up. Silence is not a no: after
    "no answer" the next attempt is planned by the plan if the user planned none. A nurture
    touch is followed by the next one.
    """
    activity.by = by
    save_once(activity)
    opportunity = activity.opportunity
    if opportunity is None:
        return activity
    done = follow_up or due_follow_up(opportunity, activity.occurred)
    changes = {"status": Status.DONE, "outcome": activity.outcome, "activity": activity}
    if done is not None and not claim(done, **changes):
        if follow_up is not None:  # its outcome was logged by another click, or it was cancelled
            raise Refused(
                _("The outcome of “%(purpose)s” was already logged: nothing was logged twice.")
                % {"purpose": follow_up.purpose}
            )
        done = None  # the step due was carried out meanwhile: this activity is one more
    if activity.kind == Activity.Kind.REQUEST:
        request_follow_up(activity).save()
    if next_follow_up is not None:
        next_follow_up.save()
    elif not opportunity.follow_ups.planned().exists():
        automatic = automatic_next(opportunity, activity, done)
        if automatic is not None:
            automatic.save()
    refresh_stop_state(opportunity)
    sync_next_step(opportunity)
    if opportunity.owner.profile.stop_automatically:
        apply_stop_rule(opportunity=opportunity, by=by, now=activity.occurred)
    return activity


def save_once(activity: Activity) -> None:
    """Save a new activity; one sent twice (the form's submission token) is refused."""
    if activity.submission is None:
        activity.save()
        return
    again = Refused(_("This activity was already logged: nothing was logged twice."))
    if Activity.objects.filter(team=activity.team_id, submission=activity.submission).exists():
        raise again
    try:
        with transaction.atomic():  # a savepoint: the same token saved at the same moment
            activity.save()
    except IntegrityError as clash:
        raise again from clash


def automatic_next(
    opportunity: Opportunity, activity: Activity, done: FollowUp | None
) -> FollowUp | None:
    if opportunity.level == Level.NURTURE:
        return nurture_touch(opportunity, after=activity.occurred)
    if opportunity.level in OPEN_LEVELS and activity.outcome == Activity.Outcome.NO_ANSWER:
        attempt = proposed_follow_up(opportunity, after=activity.occurred)
        if done is not None:
            attempt.purpose, attempt.channel = done.purpose, done.channel
            attempt.value_to_bring, attempt.person = done.value_to_bring, done.person
        return attempt
    return None


def request_follow_up(activity: Activity) -> FollowUp:
    """An inbound request gets a time to answer by (docs/method.md §2.2: respond immediately)."""
    opportunity = activity.opportunity
    assert opportunity is not None
    hours = opportunity.owner.profile.respond_within_hours
    asked = activity.notes.strip().splitlines()[0][:150] if activity.notes.strip() else ""
    return FollowUp(
        team=opportunity.team,
        opportunity=opportunity,
        person=activity.person or opportunity.main_contact,
        assigned_to=opportunity.owner,
        kind=Kind.REQUEST,
        due_at=rules.respond_by(activity.occurred, hours),
        channel=activity.channel or Channel.EMAIL,
        purpose=_("Answer: %(request)s") % {"request": asked} if asked else _("Answer the request"),
    )


def nurture_touch(opportunity: Opportunity, *, after: datetime) -> FollowUp:
    """The next low-pressure touch, the nurture interval later, in the owner's working hours."""
    profile = opportunity.owner.profile
    touch = FollowUp(
        team=opportunity.team,
        opportunity=opportunity,
        person=opportunity.main_contact,
        assigned_to=opportunity.owner,
        kind=Kind.NURTURE,
        channel=Channel.EMAIL,
        purpose=_("Keep in touch: send something useful"),
    )
    touch.due_at = rules.next_follow_up_at(
        after,
        rules.Plan(profile.nurture_every_days, Channel.EMAIL, agreed=False),
        profile.zone,
        hours=working_hours_of(profile),
        minutes=touch.minutes,
    )
    return touch


def plan_missing_nurture_touches(*, limit: int = 500) -> int:
    """Nurture opportunities that never got a touch since they entered nurture (set there by an
    import, which moves nothing) get their next one, the nurture interval after the last thing
    that happened. One whose touch the user cancelled is left alone: that was their choice.
    Returns how many were planned; the worker runs it every hour."""
    touched = FollowUp.objects.filter(
        kind=Kind.NURTURE, opportunity=OuterRef("pk"), created__gte=OuterRef("level_changed")
    )
    waiting = (
        Opportunity.objects.filter(level=Level.NURTURE)
        .exclude(Exists(touched))
        .exclude(
            Exists(FollowUp.objects.planned().filter(kind=Kind.NURTURE, opportunity=OuterRef("pk")))
        )
        .select_related("owner__profile", "main_contact", "team")
        .annotate(last_activity=Max("activities__occurred"))
        .order_by("pk")[:limit]
    )
    planned = 0
    for opportunity in waiting:
        last_activity: datetime | None = opportunity.last_activity  # type: ignore[attr-defined]  # annotated
        after = max(filter(None, [opportunity.level_changed, last_activity]))
        with translation.override(opportunity.owner.profile.language or "en"):
            nurture_touch(opportunity, after=after).save()
        sync_next_step(opportunity)
        planned += 1
    return planned


def refresh_stop_state(opportunity: Opportunity) -> None:
    """Count the attempts without an answer and find the last progress, from the activities."""
    logged = list(
        opportunity.activities.exclude(outcome="")
        .order_by("-occurred", "-pk")
        .values_list("outcome", "occurred")[:200]
    )
    attempts = rules.attempts_in_a_row([outcome for outcome, _at in logged])
    progressed = [at for outcome, at in logged if outcome in rules.PROGRESS]
    progress_at = max([opportunity.level_changed, *progressed[:1]])
    if (opportunity.attempts_without_answer, opportunity.progress_at) != (attempts, progress_at):
        opportunity.attempts_without_answer, opportunity.progress_at = attempts, progress_at
        opportunity.save(update_fields=["attempts_without_answer", "progress_at", "updated"])


def stop_proposal_for(
    opportunity: Opportunity, *, now: datetime | None = None, cycle_days: int | None = None
) -> rules.StopProposal | None:
    profile = opportunity.owner.profile
    limits = rules.stop_limits(
        attempts=opportunity.stop_after_attempts,
        days=opportunity.stop_after_days,
        default_attempts=profile.stop_after_attempts,
        default_days=profile.stop_after_days,
        cycle_days=cycle_days or sales_cycle(opportunity.owner, now=now).days,
    )
    return rules.stop_proposal(
        level=opportunity.level,
        attempts=opportunity.attempts_without_answer,
        progress_at=opportunity.progress_at,
        now=now or timezone.now(),
        limits=limits,
        qualified=rules.is_qualified(
            level=opportunity.level,
            fit_score=opportunity.fit_score,
            poor_fit_below=opportunity.team.poor_fit_below,
        ),
    )


@transaction.atomic
def apply_stop_rule(
    *,
    opportunity: Opportunity,
    by: User | None,
    now: datetime | None = None,
    seen_level: str | None = None,
) -> LevelChange | None:
    """Close the opportunity as its stop rule proposes, the rule as the reason; else nothing.

    Always reversible: it is a move like any other, and moving back reopens it. A second click
    finds it moved already (sales.actions.AlreadyMoved), as any move does.
    """
    proposal = stop_proposal_for(opportunity, now=now)
    if proposal is None:
        return None
    return move_opportunity(
        opportunity=opportunity,
        to_level=proposal.to_level,
        reason=proposal.reason,
        by=by,
        at=max(now or timezone.now(), opportunity.level_changed),
        seen_level=seen_level,
    )


@transaction.atomic
def save_plan(*, opportunity: Opportunity, fields: list[str], by: User) -> None:
    """Save an opportunity's follow-up plan and stop limits (only those fields: a move made
    meanwhile stands). With automatic stop rules, a limit now passed closes it at once."""
    opportunity.save(update_fields=[*fields, "updated"])
    if opportunity.owner.profile.stop_automatically:
        with contextlib.suppress(AlreadyMoved):  # moved meanwhile: the rule starts again
            apply_stop_rule(opportunity=opportunity, by=by)


@transaction.atomic
def save_stop_defaults(*, profile: Profile, fields: list[str]) -> int:
    """Save the user's follow-up defaults; with automatic stop rules, close at once what the
    new limits stop. Returns how many were closed."""
    profile.save(update_fields=fields)
    # Read back: the form's copy shares its user, whose cached profile has the old limits.
    return apply_automatic_stops(User.objects.select_related("profile").get(pk=profile.user_id))


def apply_automatic_stops(user: User, *, now: datetime | None = None) -> int:
    """For a user who chose automatic stop rules: close what the rules propose, return how many.

    The attempts rule fires as the attempt is logged (log_activity); the days-without-progress
    rule fires with time alone, so the worker runs this for every such user each hour
    (funnel.assistant.tasks.stop_rules, or `funnel stop-rules` at once), and saving stop
    settings runs it for that user. Pages only
    propose: opening one never closes anything.
    """
    if not user.profile.stop_automatically:
        return 0
    now = now or timezone.now()
    closed = 0
    for opportunity in stop_candidates(user, now=now, limit=50):
        try:
            if apply_stop_rule(opportunity=opportunity, by=user, now=now) is not None:
                closed += 1
        except AlreadyMoved:
            continue  # another tab of theirs got there first
    return closed


def stop_candidates(user: User, *, now: datetime, limit: int) -> list[Opportunity]:
    """The user's open opportunities a stop rule fires on."""
    profile = user.profile
    cycle_days = sales_cycle(user, now=now).days
    days = profile.stop_after_days or 2 * cycle_days
    suspects = stop_rule_suspects(
        Opportunity.objects.filter(owner=user).select_related(
            "organisation", "main_contact", "team", "owner__profile"
        ),
        attempts=profile.stop_after_attempts,
        idle_since=now - timedelta(days=days),
        limit=limit,
    )
    unique = {o.pk: o for o in suspects}.values()
    return [o for o in unique if stop_proposal_for(o, now=now, cycle_days=cycle_days)][:limit]


def after_move(*, opportunity: Opportunity, change: LevelChange) -> None:
    """What a move means for follow-ups: sales.actions.move_opportunity runs it within the
    move (funnel.followup.apps registers it).

    Closing ends the selling follow-ups; nurture plans its first touch; a won deal gets the
    owner's post-sale steps; a deal leaving won or nurture drops the steps that belonged there.
    A move is progress: the stop rules start counting again.
    """
    planned = opportunity.follow_ups.planned()
    to_level, from_level = change.to_level, change.from_level
    if to_level not in OPEN_LEVELS:
        end(planned.filter(kind__in=SELLING))
    if from_level == Level.NURTURE:
        end(planned.filter(kind=Kind.NURTURE))
    if from_level == Level.WON:
        end(planned.filter(kind=Kind.POST_SALE))
    if to_level == Level.NURTURE:
        nurture_touch(opportunity, after=change.at).save()
    if to_level == Level.WON:
        create_post_sale_steps(opportunity, won_at=change.at)
    opportunity.attempts_without_answer, opportunity.progress_at = 0, change.at
    opportunity.save(update_fields=["attempts_without_answer", "progress_at", "updated"])
    sync_next_step(opportunity)


def end(follow_ups: QuerySet[FollowUp]) -> None:
    for follow_up in follow_ups:
        follow_up.status = Status.CANCELLED
        follow_up.sequence += 1
        follow_up.save(update_fields=["status", "sequence", "updated"])


def create_post_sale_steps(opportunity: Opportunity, *, won_at: datetime) -> None:
    zone = opportunity.owner.profile.zone
    for step in PostSaleStep.objects.filter(owner=opportunity.owner):
        FollowUp.objects.create(
            team=opportunity.team,
            opportunity=opportunity,
            person=opportunity.main_contact,
            assigned_to=opportunity.owner,
            kind=Kind.POST_SALE,
            due_at=rules.post_sale_due(
                anchor=step.anchor,
                days_after=step.days_after,
                won_at=won_at,
                delivery_on=opportunity.delivery_on,
                zone=zone,
            ),
            channel=step.channel,
            purpose=step.purpose,
            minutes=15,
            after_delivery_days=step.days_after if step.anchor == Anchor.DELIVERY else None,
        )
    sync_next_step(opportunity)


@transaction.atomic
def set_delivery_date(*, opportunity: Opportunity, delivery_on: date | None) -> None:
    """Record when the customer gets what they bought, and place the steps counted from it."""
    opportunity.delivery_on = delivery_on
    opportunity.save(update_fields=["delivery_on", "updated"])
    waiting = opportunity.follow_ups.planned().filter(
        kind=Kind.POST_SALE, after_delivery_days__isnull=False
    )
    for follow_up in waiting:
        follow_up.due_at = rules.post_sale_due(
            anchor=Anchor.DELIVERY,
            days_after=follow_up.after_delivery_days or 0,
            won_at=opportunity.level_changed,
            delivery_on=delivery_on,
            zone=opportunity.owner.profile.zone,
        )
        follow_up.sequence += 1
        follow_up.save(update_fields=["due_at", "sequence", "updated"])
    sync_next_step(opportunity)


DEFAULT_POST_SALE_STEPS = [
    # (what, channel, counted from, days after)
    (gettext_noop("Send a handwritten thank-you card"), Channel.LETTER, Anchor.WON, 0),
    (gettext_noop("Send a thank-you card for the delivery"), Channel.LETTER, Anchor.DELIVERY, 0),
    (
        gettext_noop("Call to hear how it went and confirm their choice"),
        Channel.PHONE,
        Anchor.DELIVERY,
        3,
    ),
]


def set_up_new_user(*, user: User) -> None:
    """A new user starts with the default steps after a sale (accounts.actions.create_user)."""
    create_default_post_sale_steps(owner=user)


@transaction.atomic
def save_post_sale_steps(*, steps: BaseModelFormSet[PostSaleStep, Any]) -> None:
    """Save the user's steps after a sale as edited (validated), in their new order, together."""
    steps.save()


@transaction.atomic
def restore_default_post_sale_steps(*, owner: User) -> None:
    """Replace the user's steps with the default sequence, in the language active now."""
    # The user's profile row is the lock: two restores at once run one after the other, else
    # both delete what the other has not written yet, and both write three steps.
    Profile.objects.select_for_update().filter(user=owner).exists()
    PostSaleStep.objects.filter(owner=owner).delete()
    create_default_post_sale_steps(owner=owner)


def create_default_post_sale_steps(*, owner: User) -> None:
    """The sequence of docs/method.md §3, in the user's language, for them to edit in settings."""
    PostSaleStep.objects.bulk_create(
        PostSaleStep(
            owner=owner,
            position=position,
            purpose=_(purpose),
            channel=channel,
            anchor=anchor,
            days_after=days,
        )
        for position, (purpose, channel, anchor, days) in enumerate(DEFAULT_POST_SALE_STEPS)
    )
