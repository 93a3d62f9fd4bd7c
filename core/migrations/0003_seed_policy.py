"""Seed the policy parameters with the defaults of DOMAIN.md (see core.policy for each key).

The values are written out here rather than imported, so this migration stays what it was when
later code changes. Values are ints (fen, counts) or decimal strings (rates): never floats.
"""

from datetime import date

from django.db import migrations

SINCE_ALWAYS = date(2000, 1, 1)
RATE_CUT_2024 = date(2024, 5, 18)
RATE_CUT_2025 = date(2025, 5, 8)

DEFAULTS = [
    ("deposit.rounding", "FEN_HALF_UP", SINCE_ALWAYS, "Each part rounded to the fen, half up."),
    ("deposit.rate.min", "0.05", SINCE_ALWAYS, ""),
    ("deposit.rate.max", "0.12", SINCE_ALWAYS, ""),
    ("deposit.rate.default_employer", "0.12", SINCE_ALWAYS, ""),
    ("deposit.rate.default_employee", "0.12", SINCE_ALWAYS, ""),
    ("deposit.base.floor", 203000, SINCE_ALWAYS, "Demo: local minimum wage 2,030 yuan."),
    ("deposit.base.cap", 3100000, SINCE_ALWAYS, "Demo: 3 × city average monthly wage, 31,000 yuan."),
    ("deposit.payment_days_after_payday", 5, SINCE_ALWAYS, ""),
    ("account.open_within_days", 30, SINCE_ALWAYS, ""),
    ("account.seal_within_days", 30, SINCE_ALWAYS, ""),
    ("interest.annual_rate", "0.015", date(2016, 2, 21), "Single rate of 1.50% a year."),
    ("interest.day_count_basis", 360, SINCE_ALWAYS, ""),
    ("withdrawal.decision_deadline_working_days", 3, SINCE_ALWAYS, ""),
    ("withdrawal.leaving.sealed_months", 6, SINCE_ALWAYS, ""),
    ("withdrawal.rent.min_deposit_months", 3, SINCE_ALWAYS, ""),
    ("withdrawal.rent.monthly_cap", 180000, SINCE_ALWAYS, "1,800 yuan per person and month."),
    ("withdrawal.purchase.resale_min_months_after_title", 6, SINCE_ALWAYS, ""),
    ("withdrawal.loan_repayment.interval_months", 12, SINCE_ALWAYS, ""),
    ("loan.min_deposit_months", 6, SINCE_ALWAYS, ""),
    ("loan.overdue_lookback_months", 24, SINCE_ALWAYS, ""),
    ("loan.max_age_at_end", 65, SINCE_ALWAYS, ""),
    ("loan.max_term_months", 360, SINCE_ALWAYS, ""),
    ("loan.balance_multiple", 15, SINCE_ALWAYS, ""),
    ("loan.income_ratio", "0.50", SINCE_ALWAYS, ""),
    ("loan.price_ratio.first", "0.80", SINCE_ALWAYS, ""),
    ("loan.price_ratio.second", "0.70", SINCE_ALWAYS, ""),
    ("loan.cap.single", 60000000, SINCE_ALWAYS, "Demo: 600,000 yuan."),
    ("loan.cap.with_co_borrower", 80000000, SINCE_ALWAYS, "Demo: 800,000 yuan."),
    ("loan.quota_rounding_unit", 100000, SINCE_ALWAYS, "Quota rounded down to 1,000 yuan."),
    ("loan.rate.first.upto_5y", "0.0235", RATE_CUT_2024, ""),
    ("loan.rate.first.over_5y", "0.0285", RATE_CUT_2024, ""),
    ("loan.rate.second.upto_5y", "0.02775", RATE_CUT_2024, ""),
    ("loan.rate.second.over_5y", "0.03325", RATE_CUT_2024, ""),
    ("loan.rate.first.upto_5y", "0.021", RATE_CUT_2025, ""),
    ("loan.rate.first.over_5y", "0.026", RATE_CUT_2025, ""),
    ("loan.rate.second.upto_5y", "0.02525", RATE_CUT_2025, ""),
    ("loan.rate.second.over_5y", "0.03075", RATE_CUT_2025, ""),
    ("loan.overdue_penalty_multiplier", "1.5", SINCE_ALWAYS, ""),
    ("loan.service_level_working_days", 8, SINCE_ALWAYS, ""),
    ("city.local_region_prefix", "3502", SINCE_ALWAYS, "Xiamen."),
]


def seed_policy(apps, schema_editor):
    PolicyParameter = apps.get_model("core", "PolicyParameter")
    PolicyParameter.objects.bulk_create(
        PolicyParameter(key=key, value=value, effective_from=effective_from, note=note)
        for key, value, effective_from, note in DEFAULTS
    )


def unseed_policy(apps, schema_editor):
    PolicyParameter = apps.get_model("core", "PolicyParameter")
    for key, _value, effective_from, _note in DEFAULTS:
        PolicyParameter.objects.filter(key=key, effective_from=effective_from, created_by=None).delete()


class Migration(migrations.Migration):
    dependencies = [("core", "0002_seed_calendar")]

    operations = [migrations.RunPython(seed_policy, unseed_policy)]
