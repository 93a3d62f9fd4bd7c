"""Re-encrypt every encrypted field under the current key and recompute every blind index.

The procedure (docs/privacy.md): give the new key the next ``FIELD_ENCRYPTION_KEY_VERSION``,
move the old key to ``FIELD_ENCRYPTION_RETIRED_KEYS``, deploy, run this command, then remove
the old key. Each model is worked in batches of primary keys, one short transaction per batch
with the rows locked, so the portal keeps running; a row already under the current key with
its index current is left alone, so the command can be stopped and run again.

Encrypted fields are found by type (``core.crypto.EncryptedTextField`` and
``EncryptedBinaryField``); an index column is
``<field>_index`` beside an encrypted ``<field>``, or is named in
``settings.FIELD_INDEX_SOURCES`` with the paths to its clear value.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.core.management.base import BaseCommand
from django.db import models, transaction
from django.db.models.functions import Cast

from core.crypto import EncryptedBinaryField, EncryptedTextField, blind_index, current_label

ENCRYPTED_FIELDS = (EncryptedTextField, EncryptedBinaryField)


@dataclass
class ModelPlan:
    model: type[models.Model]
    encrypted: list[str] = field(default_factory=list)
    # index column → the attribute paths ("person__id_number") to its clear value, tried in order.
    indexes: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def label(self) -> str:
        return self.model._meta.label

    def related(self) -> list[str]:
        return sorted(
            {path.rsplit("__", 1)[0] for paths in self.indexes.values() for path in paths if "__" in path}
        )


@dataclass
class Tally:
    rows: int = 0
    reencrypted: int = 0
    reindexed: int = 0
    without_source: int = 0


def rotation_plan() -> list[ModelPlan]:
    """Every model with an encrypted field or a blind index, and what to redo in it."""
    sources = getattr(settings, "FIELD_INDEX_SOURCES", {})
    plans = []
    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed:
            continue
        names = {f.name for f in model._meta.concrete_fields}
        plan = ModelPlan(model)
        for f in model._meta.concrete_fields:
            if isinstance(f, ENCRYPTED_FIELDS):
                plan.encrypted.append(f.name)
                if f"{f.name}_index" in names:
                    plan.indexes[f"{f.name}_index"] = (f.name,)
        for name in names:
            paths = sources.get(f"{model._meta.label}.{name}")
            if paths:
                plan.indexes[name] = tuple(paths)
        if plan.encrypted or plan.indexes:
            plans.append(plan)
    return sorted(plans, key=lambda p: p.label)


def _clear_value(row, paths: tuple[str, ...]) -> str | None:
    for path in paths:
        value = row
        try:
            for part in path.split("__"):
                value = getattr(value, part) if value is not None else None
        except ObjectDoesNotExist:
            value = None
        if value:
            return str(value)
    return None


def _changes(plan: ModelPlan, row, label: str, tally: Tally) -> dict:
    changes = {}
    for name in plan.encrypted:
        raw = getattr(row, f"_raw_{name}")
        if isinstance(raw, memoryview | bytes):
            raw = bytes(raw).decode("latin-1")
        if raw is not None and not raw.startswith(f"{label}:"):
            # Assigned the clear value: the field encrypts it again, under the current key.
            changes[name] = getattr(row, name)
            tally.reencrypted += 1
    for name, paths in plan.indexes.items():
        clear = _clear_value(row, paths)
        if clear is None:
            if getattr(row, name):
                tally.without_source += 1
            continue
        index = blind_index(clear)
        if index != getattr(row, name):
            changes[name] = index
            tally.reindexed += 1
    return changes


def _rows(plan: ModelPlan):
    fields = {name: plan.model._meta.get_field(name) for name in plan.encrypted}
    raw = {
        f"_raw_{name}": Cast(
            name,
            output_field=models.BinaryField() if isinstance(f, EncryptedBinaryField) else models.TextField(),
        )
        for name, f in fields.items()
    }
    return plan.model._default_manager.annotate(**raw).select_related(*plan.related())


def rotate_model(plan: ModelPlan, *, batch: int, dry_run: bool) -> Tally:
    tally = Tally()
    label = current_label()
    pks = list(plan.model._default_manager.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(pks), batch):
        chunk = pks[start : start + batch]
        with transaction.atomic(durable=True):
            # Locked, so a row changed meanwhile by the portal is not overwritten with its old value.
            locked = list(
                plan.model._default_manager.filter(pk__in=chunk).select_for_update().values_list("pk")
            )
            rows = _rows(plan).filter(pk__in=[pk for (pk,) in locked]).order_by("pk")
            for row in rows:
                tally.rows += 1
                changes = _changes(plan, row, label, tally)
                if changes and not dry_run:
                    plan.model._default_manager.filter(pk=row.pk).update(**changes)
    return tally


class Command(BaseCommand):
    help = "Re-encrypt encrypted fields under the current key and recompute blind indexes."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Count what would change; change nothing.")
        parser.add_argument(
            "--batch",
            type=int,
            default=None,
            help="Rows per transaction (default settings.FIELD_KEY_ROTATION_BATCH).",
        )

    def handle(self, *args, dry_run=False, batch=None, **options):
        batch = batch or settings.FIELD_KEY_ROTATION_BATCH
        verb = "would change" if dry_run else "changed"
        self.stdout.write(f"Current key: {current_label()}{' (dry run)' if dry_run else ''}")
        total = Tally()
        for plan in rotation_plan():
            tally = rotate_model(plan, batch=batch, dry_run=dry_run)
            self.stdout.write(
                f"{plan.label}: {tally.rows} rows, {verb}: {tally.reencrypted} values re-encrypted, "
                f"{tally.reindexed} indexes recomputed"
                + (f", {tally.without_source} indexes without a clear value" if tally.without_source else "")
            )
            total.reencrypted += tally.reencrypted
            total.reindexed += tally.reindexed
            total.without_source += tally.without_source
        self.stdout.write(
            f"Total {verb}: {total.reencrypted} values re-encrypted, {total.reindexed} indexes recomputed, "
            f"{total.without_source} indexes without a clear value"
        )
