"""Existing next steps become follow-ups; existing users get the default post-sale sequence;
each opportunity's stop-rule state is counted from its activities."""

from django.db import migrations
from django.utils import translation
from django.utils.translation import gettext

NO_ANSWER = "no_answer"
RESPONSES = {"reached", "replied", "meeting_booked", "buying_signal", "not_buying_signal", "rescheduled"}
PROGRESS = {"reached", "replied", "meeting_booked", "buying_signal"}
POST_SALE_STEPS = [
    ("Send a handwritten thank-you card", "letter", "won", 0),
    ("Send a thank-you card for the delivery", "letter", "delivery", 0),
    ("Call to hear how it went and confirm their choice", "phone", "delivery", 3),
]


def forward(apps, schema_editor):
    Opportunity = apps.get_model("sales", "Opportunity")
    FollowUp = apps.get_model("followup", "FollowUp")
    Profile = apps.get_model("accounts", "Profile")
    PostSaleStep = apps.get_model("followup", "PostSaleStep")
    channels = dict(Profile.objects.values_list("user_id", "follow_up_channel"))
    for opportunity in Opportunity.objects.filter(next_step_at__isnull=False).iterator():
        FollowUp.objects.create(
            team_id=opportunity.team_id,
            opportunity=opportunity,
            person_id=opportunity.main_contact_id,
            assigned_to_id=opportunity.owner_id,
            kind="follow_up",
            due_at=opportunity.next_step_at,
            channel=channels.get(opportunity.owner_id, "phone"),
            purpose=opportunity.next_step or "Next step",
        )
    for opportunity in Opportunity.objects.iterator():
        attempts, progress_at = 0, opportunity.level_changed
        counting = True
        for outcome, occurred in (
            opportunity.activities.exclude(outcome="")
            .order_by("-occurred", "-pk")
            .values_list("outcome", "occurred")
        ):
            if counting and outcome == NO_ANSWER:
                attempts += 1
            elif outcome in RESPONSES:
                counting = False
            if outcome in PROGRESS:
                progress_at = max(progress_at, occurred)
                break
        opportunity.attempts_without_answer, opportunity.progress_at = attempts, progress_at
        opportunity.save(update_fields=["attempts_without_answer", "progress_at"])
    for profile in Profile.objects.all():
        with translation.override(profile.language or "en"):
            PostSaleStep.objects.bulk_create(
                PostSaleStep(
                    owner_id=profile.user_id,
                    position=position,
                    purpose=gettext(purpose),
                    channel=channel,
                    anchor=anchor,
                    days_after=days,
                )
                for position, (purpose, channel, anchor, days) in enumerate(POST_SALE_STEPS)
            )


class Migration(migrations.Migration):
    dependencies = [
        ("followup", "0001_follow_ups_and_post_sale_steps"),
        ("sales", "0006_follow_up_plan_and_stop_state"),
        ("accounts", "0004_follow_up_defaults"),
    ]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
