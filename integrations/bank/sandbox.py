"""The sandbox collection bank: orders kept in ``SandboxCollection``, settled after a delay.

Knobs (settings, from the environment — CONTRACT.md):

- ``SANDBOX_BANK_DELAY_MS`` (200): an accepted order's result stays pending (``None``) until
  ``due_at`` = submission + the delay; the first result query after that settles it.
- ``SANDBOX_BANK_FAILURE_RATE`` (0): the share of orders that settle FAILED, with
  INSUFFICIENT_FUNDS or ACCOUNT_FROZEN; a fraction ("0.1") or per mille ("100‰").
- ``SANDBOX_BANK_TIMEOUT_RATE`` (0): the share of calls that get no answer: the call sleeps its
  ``timeout`` and raises ``BankUnavailable``. A submission that times out has nevertheless been
  ACCEPTED, as happens with a real bank when the answer is lost on the way back; the caller
  cannot tell, and resubmits the same ``order_ref``, which returns the first receipt.
- ``SANDBOX_BANK_RANDOM_SEED`` (None): makes the draws repeatable (tests).

Staff override the first three in the admin (``SandboxBankKnobs``); a field left empty keeps the
environment's value. The row is read on every call: the bank is called a few times per list,
so there is nothing worth caching.

The settlement is a conditional UPDATE (``WHERE status = 'PENDING'``) so two callers asking at
once settle an order only once and both see the same outcome.
"""

from __future__ import annotations

import random
import threading
import time
import uuid
from datetime import timedelta
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import DatabaseError
from django.utils import timezone

from . import ports

# The failures a sandbox debit draws from; ACCOUNT_CLOSED is left to fakes and staff edits.
SIMULATED_FAILURES = (ports.INSUFFICIENT_FUNDS, ports.ACCOUNT_FROZEN)

_rng_lock = threading.Lock()
_rng: tuple[object, random.Random] | None = None


def parse_rate(name: str, text: str | int | Decimal) -> int:
    """``"0.1"`` → 100, ``"100‰"`` → 100, ``"0"`` → 0: the rate in per mille (0–1000)."""
    raw = str(text).strip()
    try:
        per_mille = Decimal(raw[:-1]) if raw.endswith("‰") else Decimal(raw) * 1000
    except InvalidOperation as exc:
        raise ImproperlyConfigured(f"{name} {raw!r} is not a number") from exc
    if not 0 <= per_mille <= 1000:
        raise ImproperlyConfigured(f"{name} {raw!r} is outside 0–1 (0‰–1000‰)")
    return int(per_mille)


def reset_random() -> None:
    """Start the draws again from the seed (tests)."""
    global _rng
    with _rng_lock:
        _rng = None


def _draw(n: int) -> int:
    """A number in 0..n-1, from one process-wide generator seeded by SANDBOX_BANK_RANDOM_SEED."""
    global _rng
    seed = getattr(settings, "SANDBOX_BANK_RANDOM_SEED", None)
    with _rng_lock:
        if _rng is None or _rng[0] != seed:
            _rng = (seed, random.Random(seed))
        return _rng[1].randrange(n)


def _happens(per_mille: int) -> bool:
    return per_mille > 0 and _draw(1000) < per_mille


def _knobs() -> tuple[int, int, int]:
    """(delay in ms, failure rate ‰, timeout rate ‰): the admin's values, else the environment's."""
    from integrations.models import SandboxBankKnobs

    row = SandboxBankKnobs.objects.filter(pk=1).values_list(
        "delay_ms", "failure_per_mille", "timeout_per_mille"
    ).first() or (None, None, None)
    delay, failure, timeout = row
    return (
        int(settings.SANDBOX_BANK_DELAY_MS) if delay is None else delay,
        parse_rate("SANDBOX_BANK_FAILURE_RATE", settings.SANDBOX_BANK_FAILURE_RATE)
        if failure is None
        else failure,
        parse_rate("SANDBOX_BANK_TIMEOUT_RATE", settings.SANDBOX_BANK_TIMEOUT_RATE)
        if timeout is None
        else timeout,
    )


def _receipt(row) -> ports.SubmitReceipt:
    return ports.SubmitReceipt(order_ref=row.order_ref, bank_ref=row.bank_ref, accepted_at=row.submitted_at)


def _same_order(row, order: ports.CollectionOrder) -> bool:
    return (
        row.amount == order.amount
        and row.payer_account_no == order.payer_account_no
        and row.payer_bank_name == order.payer_bank_name
        and row.payer_name == order.payer_name
        and row.same_bank == order.same_bank
        and row.memo == order.memo
    )


class SandboxCollectionBank:
    def submit_collection(self, *, order: ports.CollectionOrder, timeout: float) -> ports.SubmitReceipt:
        from integrations.models import SandboxCollection

        ports.check_timeout(timeout)
        ports.check_order(order)
        start = time.monotonic()
        delay_ms, _failure, timeout_rate = _knobs()
        times_out = _happens(timeout_rate)
        now = timezone.now()
        try:
            # get_or_create retries the read when a concurrent submission wins the unique order_ref.
            row, _created = SandboxCollection.objects.get_or_create(
                order_ref=order.order_ref,
                defaults={
                    "bank_ref": f"SBX{uuid.uuid4().hex[:20].upper()}",
                    "amount": order.amount,
                    "payer_account_no": order.payer_account_no,
                    "payer_bank_name": order.payer_bank_name,
                    "payer_name": order.payer_name,
                    "same_bank": order.same_bank,
                    "memo": order.memo,
                    "submitted_at": now,
                    "due_at": now + timedelta(milliseconds=delay_ms),
                },
            )
        except DatabaseError as exc:
            raise ports.BankUnavailable("sandbox bank: store failed") from exc
        if not _same_order(row, order):
            raise ports.OrderRejected(f"{order.order_ref}: reference already used for another order")
        if times_out:
            # Accepted, but the answer is lost: exactly what the caller's resubmission must survive.
            time.sleep(max(0.0, timeout - (time.monotonic() - start)))
            raise ports.BankUnavailable(f"sandbox bank: no answer within {timeout:g} s")
        return _receipt(row)

    def collection_result(self, *, order_ref: str, timeout: float) -> ports.CollectionResult | None:
        from integrations.models import SandboxCollection

        ports.check_timeout(timeout)
        start = time.monotonic()
        if _happens(_knobs()[2]):
            time.sleep(max(0.0, timeout - (time.monotonic() - start)))
            raise ports.BankUnavailable(f"sandbox bank: no answer within {timeout:g} s")
        try:
            row = SandboxCollection.objects.filter(order_ref=order_ref).first()
            if row is None:
                raise ports.UnknownOrder(f"{order_ref}: no such order")
            if row.status == SandboxCollection.Status.PENDING:
                if timezone.now() < row.due_at:
                    return None
                self._settle(row)
                row.refresh_from_db()
        except DatabaseError as exc:
            raise ports.BankUnavailable("sandbox bank: store failed") from exc
        return ports.CollectionResult(
            order_ref=row.order_ref,
            status=row.status,
            failure_code=row.failure_code or None,
            bank_ref=row.bank_ref,
            settled_on=row.settled_on,
        )

    @staticmethod
    def _settle(row) -> None:
        from integrations.models import SandboxCollection

        failure_rate = _knobs()[1]
        failure_code = SIMULATED_FAILURES[_draw(len(SIMULATED_FAILURES))] if _happens(failure_rate) else ""
        # Conditional: a concurrent query may have settled it first, and its outcome stands.
        SandboxCollection.objects.filter(pk=row.pk, status=SandboxCollection.Status.PENDING).update(
            status=ports.FAILED if failure_code else ports.SUCCEEDED,
            failure_code=failure_code,
            settled_on=timezone.localdate(row.due_at),
        )
