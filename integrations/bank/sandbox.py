"""The sandbox bank: collection orders in ``SandboxCollection``, payments in ``SandboxPayment``.

Both are settled after a delay. ``SandboxCollectionBank`` plays the entrusted-collection port
(``ports``), ``SandboxPaymentBank`` the payment port (``payments``): the same knobs drive both.

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

Payments to cards keep one ``SandboxPayment`` row per reference: it is the sandbox's proof that
nothing was paid twice. A settled result is reported again to every later query (as real banks
re-send result notices). The demo cards, by their last four digits, whatever the knobs say:

- ``…0000``: no such card — ``verify_card`` says it does not exist; a payment fails CARD_INVALID;
- ``…4444``: the card's account is frozen — a payment fails ACCOUNT_FROZEN;
- ``…7777``: the card is in another person's name — ``verify_card`` says the name does not
  match; a payment fails NAME_MISMATCH.

Any other card exists in the name it is given and is paid, except the share of payments the
failure rate fails (CARD_INVALID or ACCOUNT_FROZEN).
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

from . import payments, ports

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
            _lose_answer(timeout, start)
        row = _settled_row(
            SandboxCollection,
            settle=self._settle,
            unknown=ports.UnknownOrder(f"{order_ref}: no such order"),
            order_ref=order_ref,
        )
        if row is None:
            return None
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


def _settled_row(model, *, settle, unknown: Exception, **lookup):
    """An order's row, settled first if its time has come; None while it is still pending.

    Raises ``unknown`` when the bank holds no such order, ``BankUnavailable`` when its store fails.
    """
    try:
        row = model.objects.filter(**lookup).first()
        if row is None:
            raise unknown
        if row.status == model.Status.PENDING:
            if timezone.now() < row.due_at:
                return None
            settle(row)
            row.refresh_from_db()
    except DatabaseError as exc:
        raise ports.BankUnavailable("sandbox bank: store failed") from exc
    return row


# --- payments to cards (代付) ------------------------------------------------------------------

#: The demo cards' fates, by their last four digits (module docstring).
DEMO_CARD_ENDINGS = {
    "0000": payments.CARD_INVALID,
    "4444": payments.ACCOUNT_FROZEN,
    "7777": payments.NAME_MISMATCH,
}
SIMULATED_PAYMENT_FAILURES = (payments.CARD_INVALID, payments.ACCOUNT_FROZEN)


def demo_card_failure(card_no: str) -> str | None:
    """The failure a demo card always meets (``None`` for an ordinary card)."""
    return DEMO_CARD_ENDINGS.get(card_no[-4:])


def _lose_answer(timeout: float, start: float) -> None:
    time.sleep(max(0.0, timeout - (time.monotonic() - start)))
    raise ports.BankUnavailable(f"sandbox bank: no answer within {timeout:g} s")


def _same_payment(row, instruction: payments.PaymentInstruction) -> bool:
    return (
        row.amount == instruction.amount
        and row.card_no == instruction.card_no
        and row.holder_name == instruction.holder_name
        and row.memo == instruction.memo
    )


class SandboxPaymentBank:
    def verify_card(
        self, *, card_no: str, holder_name: str, id_number: str, timeout: float
    ) -> payments.CardCheck:
        ports.check_timeout(timeout)
        start = time.monotonic()
        if _happens(_knobs()[2]):
            _lose_answer(timeout, start)
        failure = demo_card_failure(card_no or "")
        return payments.CardCheck(
            exists=failure != payments.CARD_INVALID,
            name_matches=failure != payments.NAME_MISMATCH
            and bool(holder_name.strip() and id_number.strip()),
            frozen=failure == payments.ACCOUNT_FROZEN,
        )

    def submit_payments(self, *, instructions, timeout: float) -> list[payments.PaymentReceipt]:
        from integrations.models import SandboxPayment

        ports.check_timeout(timeout)
        payments.check_batch(instructions)
        start = time.monotonic()
        delay_ms, _failure, timeout_rate = _knobs()
        times_out = _happens(timeout_rate)
        now = timezone.now()
        well_formed = [i for i in instructions if not payments.instruction_problems(i)]
        try:
            # One statement for the batch; a reference the bank already holds is left as it is
            # (the unique reference is the bank's dedup), and read back below.
            SandboxPayment.objects.bulk_create(
                [
                    SandboxPayment(
                        reference=i.reference,
                        bank_ref=f"SBP{uuid.uuid4().hex[:20].upper()}",
                        amount=i.amount,
                        card_no=i.card_no,
                        card_last4=i.card_no[-4:],
                        holder_name=i.holder_name,
                        memo=i.memo,
                        submitted_at=now,
                        due_at=now + timedelta(milliseconds=delay_ms),
                    )
                    for i in well_formed
                ],
                ignore_conflicts=True,
            )
            rows = {
                row.reference: row
                for row in SandboxPayment.objects.filter(reference__in=[i.reference for i in well_formed])
            }
        except DatabaseError as exc:
            raise ports.BankUnavailable("sandbox bank: store failed") from exc
        if times_out:
            # Recorded, but the answer is lost: exactly what the caller's resubmission must survive.
            _lose_answer(timeout, start)
        receipts = []
        for instruction in instructions:
            row = rows.get(instruction.reference)
            if row is None:
                receipts.append(payments.rejected(instruction.reference, payments.MALFORMED))
            elif not _same_payment(row, instruction):
                receipts.append(payments.rejected(instruction.reference, payments.REFERENCE_CONFLICT))
            else:
                receipts.append(
                    payments.PaymentReceipt(
                        reference=row.reference,
                        status=payments.ACCEPTED,
                        bank_ref=row.bank_ref,
                        accepted_at=row.submitted_at,
                    )
                )
        return receipts

    def payment_result(self, *, reference: str, timeout: float) -> payments.PaymentResult | None:
        from integrations.models import SandboxPayment

        ports.check_timeout(timeout)
        start = time.monotonic()
        if _happens(_knobs()[2]):
            _lose_answer(timeout, start)
        row = _settled_row(
            SandboxPayment,
            settle=self._settle,
            unknown=payments.UnknownPayment(f"{reference}: no such payment"),
            reference=reference,
        )
        if row is None:
            return None
        return payments.PaymentResult(
            reference=row.reference,
            status=row.status,
            failure_code=row.failure_code or None,
            bank_ref=row.bank_ref,
            amount=row.amount,
            settled_on=row.settled_on,
        )

    @staticmethod
    def _settle(row) -> None:
        from integrations.models import SandboxPayment

        failure_code = demo_card_failure(row.card_no) or ""
        if not failure_code and _happens(_knobs()[1]):
            failure_code = SIMULATED_PAYMENT_FAILURES[_draw(len(SIMULATED_PAYMENT_FAILURES))]
        # Conditional: a concurrent query may have settled it first, and its outcome stands.
        SandboxPayment.objects.filter(pk=row.pk, status=SandboxPayment.Status.PENDING).update(
            status=payments.FAILED if failure_code else payments.PAID,
            failure_code=failure_code,
            settled_on=timezone.localdate(row.due_at),
        )
