"""Seed the policy parameters of the loan approval chain and its service level (see core.policy).

Written out here rather than imported, as in 0003, so this migration stays what it was.
"""

from datetime import date

from django.db import migrations

SINCE_ALWAYS = date(2000, 1, 1)

DEFAULTS = [
    (
        "loan.approval.second_review_above",
        40000000,
        SINCE_ALWAYS,
        "Demo: loans above 400,000 yuan pass the second review (复审).",
    ),
    ("loan.service_level_at_risk_working_days", 2, SINCE_ALWAYS, "Demo: at risk with 2 working days left."),
]


def seed_policy(apps, schema_editor):
    PolicyParameter = apps.get_model("core", "PolicyParameter")
    for key, value, effective_from, note in DEFAULTS:
        PolicyParameter.objects.get_or_create(
            key=key, effective_from=effective_from, defaults={"value": value, "note": note}
        )


def unseed_policy(apps, schema_editor):
    PolicyParameter = apps.get_model("core", "PolicyParameter")
    for key, _value, effective_from, _note in DEFAULTS:
        PolicyParameter.objects.filter(key=key, effective_from=effective_from, created_by=None).delete()


class Migration(migrations.Migration):
    dependencies = [("core", "0003_seed_policy")]

    operations = [migrations.RunPython(seed_policy, unseed_policy)]
