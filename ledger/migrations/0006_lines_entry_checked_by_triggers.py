"""Journal lines keep no foreign-key constraint to their entry: the triggers already guarantee it.

Migration 0005's statement trigger refuses any line whose entry is not in the journal, and 0003's
triggers refuse deleting an entry, so the constraint's row-by-row check at COMMIT (a third of the
time of posting a year's interest) would only repeat them. ``verify_ledger`` re-checks it.
SQLite rebuilds the table for this change; its line triggers are put back as in 0005.
"""

from importlib import import_module

import django.db.models.deletion
from django.db import migrations, models

from core.db import vendor_sql

SQLITE_LINE_TRIGGERS = import_module("ledger.migrations.0005_statement_balance_checks").SQLITE_LINE_TRIGGERS


class Migration(migrations.Migration):
    dependencies = [("ledger", "0005_statement_balance_checks")]

    operations = [
        vendor_sql(what="ledger line triggers", install=("SELECT 1", []), remove=("SELECT 1", SQLITE_LINE_TRIGGERS)),
        migrations.AlterField(
            model_name="journalline",
            name="entry",
            field=models.ForeignKey(
                db_constraint=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="lines",
                to="ledger.journalentry",
                verbose_name="journal entry",
            ),
        ),
        vendor_sql(what="ledger line triggers", install=("SELECT 1", SQLITE_LINE_TRIGGERS), remove=("SELECT 1", [])),
    ]
