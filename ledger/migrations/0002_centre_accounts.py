"""Seed the centre's own ledger accounts (fund accounts are opened one per employee)."""

from django.db import migrations

# The same table as ledger.centre.CENTRE_ACCOUNTS, frozen here as migrations must be.
CENTRE_ACCOUNTS = [
    ("BANK_SETTLEMENT", "银行存款-结算", "ASSET"),
    ("INTEREST_EXPENSE", "利息支出", "EXPENSE"),
    ("PAYOUT_CLEARING", "待付款清算", "LIABILITY"),
    ("LOAN_PRINCIPAL", "委托贷款本金", "ASSET"),
    ("DEPOSIT_SUSPENSE", "暂收款", "LIABILITY"),
]


def seed(apps, schema_editor):
    LedgerAccount = apps.get_model("ledger", "LedgerAccount")
    for code, name, kind in CENTRE_ACCOUNTS:
        LedgerAccount.objects.get_or_create(code=code, defaults={"name": name, "kind": kind})


class Migration(migrations.Migration):
    dependencies = [("ledger", "0001_initial")]

    # No reverse: the accounts carry postings once used; unapplying leaves them in place.
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
