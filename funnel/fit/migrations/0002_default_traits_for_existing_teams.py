from django.db import migrations

TRAITS = ["Reputation", "Culture", "Ethics", "Openness to innovation", "Quality over quantity"]


def add_default_traits(apps, schema_editor):  # type: ignore[no-untyped-def]
    Team = apps.get_model("accounts", "Team")
    FitCriterion = apps.get_model("fit", "FitCriterion")
    FitCriterion.objects.bulk_create(
        FitCriterion(team=team, kind="psychographic", name=name, position=position)
        for team in Team.objects.filter(fit_criteria__isnull=True)
        for position, name in enumerate(TRAITS)
    )


class Migration(migrations.Migration):
    dependencies = [("fit", "0001_ideal_customer_profile"), ("accounts", "0002_sales_cycle_and_fit_threshold")]

    operations = [migrations.RunPython(add_default_traits, migrations.RunPython.noop)]
