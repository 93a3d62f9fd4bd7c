"""Seed the parts of the centre accounts that are held as several rows (ledger.centre.SPLIT_ACCOUNTS)."""

from django.db import migrations

# Frozen copies of ledger.centre's names, SPLIT_ACCOUNTS and SPLIT_WAYS, as migrations must be.
SPLIT_ACCOUNTS = [
    ("BANK_SETTLEMENT", "银行存款-结算", "ASSET"),
    ("INTEREST_EXPENSE", "利息支出", "EXPENSE"),
    ("PAYOUT_CLEARING", "待付款清算", "LIABILITY"),
]
SPLIT_WAYS = 16


def seed(apps, schema_editor):
    LedgerAccount = apps.get_model("ledger", "LedgerAccount")
    for code, name, kind in SPLIT_ACCOUNTS:
        for part in range(1, SPLIT_WAYS):
            LedgerAccount.objects.get_or_create(
                code=f"{code}.{part:02d}", defaults={"name": f"{name} 分户{part:02d}", "kind": kind}
            )


class Migration(migrations.Migration):
    dependencies = [("ledger", "0006_lines_entry_checked_by_triggers")]

    # No reverse: a part that carried postings must stay; unapplying leaves them in place.
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
