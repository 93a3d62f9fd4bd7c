"""Read-only admin for the ledger: balances change only through ledger.services."""

from django.contrib import admin

from core import admin as core_admin
from core.admin import ReadOnlyInline
from ledger.models import JournalEntry, JournalLine, LedgerAccount


class ReadOnlyAdmin(core_admin.ReadOnlyAdmin):
    show_full_result_count = False  # the journal grows to millions of rows


@admin.register(LedgerAccount)
class LedgerAccountAdmin(ReadOnlyAdmin):
    list_display = ("code", "name", "kind", "balance", "created_at")
    list_filter = ("kind",)
    search_fields = ("code", "name")


class JournalLineInline(ReadOnlyInline):
    model = JournalLine
    fields = ("account", "debit", "credit")
    readonly_fields = fields
    raw_id_fields = ("account",)


@admin.register(JournalEntry)
class JournalEntryAdmin(ReadOnlyAdmin):
    list_display = ("id", "business_type", "business_on", "amount", "memo", "posted_at", "reverses")
    list_filter = ("business_type",)
    search_fields = ("idempotency_key", "memo", "lines__account__code")
    raw_id_fields = ("actor", "reverses")
    inlines = [JournalLineInline]


@admin.register(JournalLine)
class JournalLineAdmin(ReadOnlyAdmin):
    list_display = ("id", "entry", "account", "debit", "credit")
    search_fields = ("account__code",)
    list_select_related = ("entry", "account")
    raw_id_fields = ("entry", "account")
