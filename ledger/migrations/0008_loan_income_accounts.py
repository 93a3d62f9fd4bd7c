"""Seed the centre's income accounts for loan interest and overdue penalties (loans.repayment)."""

from django.db import migrations

# Frozen copies of ledger.centre's codes and names, as migrations must be.
ACCOUNTS = [
    ("LOAN_INTEREST_INCOME", "贷款利息收入", "INCOME"),
    ("LOAN_PENALTY_INCOME", "贷款罚息收入", "INCOME"),
]


def seed(apps, schema_editor):
    LedgerAccount = apps.get_model("ledger", "LedgerAccount")
    for code, name, kind in ACCOUNTS:
        LedgerAccount.objects.get_or_create(code=code, defaults={"name": name, "kind": kind})


class Migration(migrations.Migration):
    dependencies = [("ledger", "0007_split_centre_accounts")]

    # No reverse: an account that carried postings must stay.
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
