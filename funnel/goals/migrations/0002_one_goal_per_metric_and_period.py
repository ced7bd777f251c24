"""One goal per metric and period for each user.

The same goal (what to count, each week, month or quarter) could be set twice. Before the
constraint is added, existing duplicates are resolved: of each owner's goals with the same
metric and period, the oldest (the first created; the lowest id on a tie) is kept and the
others are deleted. Their history is not lost, since it is computed from the activities, not
stored; only the later target and reward go. Reversing keeps the constraint's removal only:
deleted goals do not come back.
"""

from django.conf import settings
from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps


def keep_the_oldest_goal_of_each_metric_and_period(
    apps: StateApps, schema_editor: BaseDatabaseSchemaEditor
) -> None:
    Goal = apps.get_model("goals", "Goal")
    goals = Goal.objects.using(schema_editor.connection.alias)
    seen: set[tuple[int, str, str]] = set()
    later: list[int] = []
    rows = goals.order_by("owner_id", "metric", "period", "created", "pk").values_list(
        "pk", "owner_id", "metric", "period"
    )
    for pk, owner_id, metric, period in rows.iterator():
        if (owner_id, metric, period) in seen:
            later.append(pk)
        else:
            seen.add((owner_id, metric, period))
    for start in range(0, len(later), 500):
        goals.filter(pk__in=later[start : start + 500]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("goals", "0001_goals_with_rewards"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(
            keep_the_oldest_goal_of_each_metric_and_period, migrations.RunPython.noop
        ),
        migrations.AddConstraint(
            model_name="goal",
            constraint=models.UniqueConstraint(
                fields=("owner", "metric", "period"),
                name="goal_one_per_metric_and_period",
                violation_error_code="goal_twice",
                violation_error_message=(
                    "You already have a goal counting the same thing over the same period. "
                    "Change that goal instead, or choose another period."
                ),
            ),
        ),
    ]
