"""The sandbox transfer platform: the other centres of the country, played from ``SandboxTransferLetter``.

Our letters (``OUTBOUND``): the first status query finds the letter received (02); once
``SANDBOX_PLATFORM_DELAY_MS`` has passed since it was sent, the sandbox's sending centre decides:
it refuses (13, with a reason code) for the share ``SANDBOX_PLATFORM_REFUSAL_RATE``, negotiates
(06, for one more delay) for the share ``SANDBOX_PLATFORM_NEGOTIATION_RATE``, and otherwise
replies and pays (00). The draws are made from the letter's reference and
``SANDBOX_PLATFORM_SEED``, so a letter's fate never changes between queries; the reply itself
(balance, interest, history) is made from the person's ID number, so one person always brings
the same plausible history.

Letters to us (``INBOUND``) are created by :func:`send_incoming_letter` (the management command
``sandbox_transfer_letter`` calls it). They are offered to every poll until answered; after our
reply, ``confirm_transfer_out`` reports the transfer completed once the delay has passed
(rejected at once after a refusal).

Each advance is a conditional UPDATE on the status it starts from, so two callers asking at
once advance a letter only once and both then read the same row.
"""

from __future__ import annotations

import hashlib
import uuid
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import DatabaseError
from django.utils import timezone

from . import ports

SIMULATED_REFUSALS = (ports.ACCOUNT_NOT_SEALED, ports.LOAN_UNSETTLED, ports.WITHDRAWAL_OPEN)
# The sandbox's other centres pay interest at the national rate on a 360-day basis.
_RATE_PER_MILLE = 15


def parse_rate(name: str, text) -> int:
    """``"0.1"`` → 100, ``"100‰"`` → 100: the rate in per mille (0–1000)."""
    raw = str(text).strip()
    try:
        per_mille = Decimal(raw[:-1]) if raw.endswith("‰") else Decimal(raw) * 1000
    except InvalidOperation as exc:
        raise ImproperlyConfigured(f"{name} {raw!r} is not a number") from exc
    if not 0 <= per_mille <= 1000:
        raise ImproperlyConfigured(f"{name} {raw!r} is outside 0–1 (0‰–1000‰)")
    return int(per_mille)


def _delay() -> timedelta:
    return timedelta(milliseconds=int(getattr(settings, "SANDBOX_PLATFORM_DELAY_MS", 3000)))


def _draw(letter_ref: str, purpose: str, n: int) -> int:
    """A number in 0..n-1 fixed by the letter, the purpose and the seed."""
    seed = getattr(settings, "SANDBOX_PLATFORM_SEED", 0)
    digest = hashlib.sha256(f"{seed}:{purpose}:{letter_ref}".encode()).digest()
    return int.from_bytes(digest[:8], "big") % n


def _happens(letter_ref: str, purpose: str, setting: str) -> bool:
    per_mille = parse_rate(setting, getattr(settings, setting, "0"))
    return per_mille > 0 and _draw(letter_ref, purpose, 1000) < per_mille


def demo_reply(id_number: str, *, on: date) -> ports.TransferReply:
    """The sending centre's answer for this person: the same history every time, interest to ``on``."""
    digest = int.from_bytes(hashlib.sha256(id_number.encode()).digest()[:8], "big")
    principal = 1_000_000 + digest % 7_000_000
    opened_on = date(2008 + digest % 12, 1 + digest % 12, 1)
    paid_up_to = (on.replace(day=1) - timedelta(days=1)).replace(day=1)
    months = (paid_up_to.year - opened_on.year) * 12 + paid_up_to.month - opened_on.month + 1
    settled = date(on.year if (on.month, on.day) > (6, 30) else on.year - 1, 6, 30)
    days = (on - settled).days
    interest = (principal * days * _RATE_PER_MILLE + 180_000) // 360_000
    return ports.TransferReply(
        principal=principal,
        interest=interest,
        history=ports.DepositHistory(
            opened_on=opened_on,
            paid_up_to=paid_up_to,
            months_deposited=max(months, 1),
            last_six_continuous=digest % 10 != 0,
        ),
    )


def answer_to_json(answer: ports.TransferReply | ports.Refusal) -> dict:
    if isinstance(answer, ports.Refusal):
        return {"kind": "refusal", "reason_code": answer.reason_code, "note": answer.note}
    history = answer.history
    return {
        "kind": "reply",
        "principal": answer.principal,
        "interest": answer.interest,
        "opened_on": history.opened_on.isoformat(),
        "paid_up_to": history.paid_up_to.isoformat(),
        "months_deposited": history.months_deposited,
        "last_six_continuous": history.last_six_continuous,
    }


def answer_from_json(data: dict) -> ports.TransferReply | ports.Refusal:
    if data["kind"] == "refusal":
        return ports.Refusal(reason_code=data["reason_code"], note=data.get("note", ""))
    return ports.TransferReply(
        principal=data["principal"],
        interest=data["interest"],
        history=ports.DepositHistory(
            opened_on=date.fromisoformat(data["opened_on"]),
            paid_up_to=date.fromisoformat(data["paid_up_to"]),
            months_deposited=data["months_deposited"],
            last_six_continuous=data["last_six_continuous"],
        ),
    )


def send_incoming_letter(
    *, id_number: str, name: str, city_code: str, city_name: str
) -> ports.IncomingLetter:
    """Another centre writes to us about one of our account holders (demo, tests)."""
    from integrations.models import SandboxTransferLetter

    platform_ref = f"SBT{uuid.uuid4().hex[:20].upper()}"
    row = SandboxTransferLetter.objects.create(
        direction=SandboxTransferLetter.Direction.INBOUND,
        letter_ref=platform_ref,
        platform_ref=platform_ref,
        id_number=id_number,
        name=name,
        other_city_code=city_code,
        other_city_name=city_name,
        due_at=timezone.now(),
    )
    return _incoming(row)


def _incoming(row) -> ports.IncomingLetter:
    return ports.IncomingLetter(
        platform_ref=row.platform_ref,
        id_number=row.id_number,
        name=row.name,
        receiving_city_code=row.other_city_code,
        receiving_city_name=row.other_city_name,
        sent_at=row.created_at,
    )


class SandboxTransferPlatform:
    def send_contact_letter(self, *, letter: ports.ContactLetter, timeout: float) -> ports.LetterReceipt:
        from integrations.models import SandboxTransferLetter

        ports.check_timeout(timeout)
        ports.check_letter(letter)
        now = timezone.now()
        try:
            row, _created = SandboxTransferLetter.objects.get_or_create(
                letter_ref=letter.letter_ref,
                defaults={
                    "direction": SandboxTransferLetter.Direction.OUTBOUND,
                    "platform_ref": f"SBT{uuid.uuid4().hex[:20].upper()}",
                    "id_number": letter.id_number,
                    "name": letter.name,
                    "other_city_code": letter.sending_city_code,
                    "receiving_account_no": letter.receiving_account_no,
                    "due_at": now + _delay(),
                },
            )
        except DatabaseError as exc:
            raise ports.PlatformUnavailable("sandbox platform: store failed") from exc
        if (
            row.direction != SandboxTransferLetter.Direction.OUTBOUND
            or row.id_number != letter.id_number
            or row.other_city_code != letter.sending_city_code
            or row.receiving_account_no != letter.receiving_account_no
        ):
            raise ports.LetterRejected(f"{letter.letter_ref}: reference already used for another letter")
        return ports.LetterReceipt(
            letter_ref=row.letter_ref, platform_ref=row.platform_ref, accepted_at=row.created_at
        )

    def letter_status(self, *, letter_ref: str, timeout: float) -> ports.LetterStatus:
        from integrations.models import SandboxTransferLetter

        ports.check_timeout(timeout)
        try:
            row = SandboxTransferLetter.objects.filter(
                letter_ref=letter_ref, direction=SandboxTransferLetter.Direction.OUTBOUND
            ).first()
            if row is None:
                raise ports.UnknownLetter(f"{letter_ref}: no such letter")
            if row.status not in ports.FINAL_STATUSES:
                self._advance(row)
                row.refresh_from_db()
        except DatabaseError as exc:
            raise ports.PlatformUnavailable("sandbox platform: store failed") from exc
        answer = answer_from_json(row.answer) if row.answer else None
        return ports.LetterStatus(
            letter_ref=row.letter_ref,
            platform_ref=row.platform_ref,
            status=row.status,
            reply=answer if isinstance(answer, ports.TransferReply) else None,
            refusal_code=answer.reason_code if isinstance(answer, ports.Refusal) else None,
            arrived_on=timezone.localdate(row.due_at) if row.status == ports.COMPLETED else None,
        )

    @staticmethod
    def _advance(row) -> None:
        from integrations.models import SandboxTransferLetter

        now = timezone.now()
        pending = SandboxTransferLetter.objects.filter(pk=row.pk, status=row.status)
        if now < row.due_at:
            if row.status == ports.LETTER_REVIEWED:
                pending.update(status=ports.LETTER_RECEIVED)
            return
        ref = row.letter_ref
        if row.status != ports.NEGOTIATING and _happens(ref, "refusal", "SANDBOX_PLATFORM_REFUSAL_RATE"):
            code = SIMULATED_REFUSALS[_draw(ref, "refusal-code", len(SIMULATED_REFUSALS))]
            pending.update(status=ports.REJECTED, answer=answer_to_json(ports.Refusal(reason_code=code)))
        elif row.status != ports.NEGOTIATING and _happens(
            ref, "negotiation", "SANDBOX_PLATFORM_NEGOTIATION_RATE"
        ):
            pending.update(status=ports.NEGOTIATING, due_at=now + _delay())
        else:
            reply = demo_reply(row.id_number, on=timezone.localdate(now))
            pending.update(status=ports.COMPLETED, answer=answer_to_json(reply), due_at=now)

    def poll_incoming_letters(self, *, timeout: float) -> list[ports.IncomingLetter]:
        from integrations.models import SandboxTransferLetter

        ports.check_timeout(timeout)
        try:
            rows = list(
                SandboxTransferLetter.objects.filter(
                    direction=SandboxTransferLetter.Direction.INBOUND, answer__isnull=True
                ).order_by("pk")
            )
        except DatabaseError as exc:
            raise ports.PlatformUnavailable("sandbox platform: store failed") from exc
        return [_incoming(row) for row in rows]

    def reply_to_letter(
        self, *, platform_ref: str, answer: ports.TransferReply | ports.Refusal, timeout: float
    ) -> None:
        from integrations.models import SandboxTransferLetter

        ports.check_timeout(timeout)
        ports.check_answer(answer)
        data = answer_to_json(answer)
        refused = isinstance(answer, ports.Refusal)
        try:
            inbound = SandboxTransferLetter.objects.filter(
                platform_ref=platform_ref, direction=SandboxTransferLetter.Direction.INBOUND
            )
            if not inbound.exists():
                raise ports.UnknownLetter(f"{platform_ref}: no such letter")
            # Conditional: the first answer stands; the same answer again is a harmless retry.
            inbound.filter(answer__isnull=True).update(
                answer=data,
                status=ports.REJECTED if refused else ports.LETTER_RECEIVED,
                due_at=timezone.now() + _delay(),
            )
            row = inbound.get()
        except DatabaseError as exc:
            raise ports.PlatformUnavailable("sandbox platform: store failed") from exc
        if row.answer != data:
            raise ports.LetterRejected(f"{platform_ref}: already answered otherwise")

    def confirm_transfer_out(self, *, platform_ref: str, timeout: float) -> str:
        from integrations.models import SandboxTransferLetter

        ports.check_timeout(timeout)
        try:
            row = SandboxTransferLetter.objects.filter(
                platform_ref=platform_ref, direction=SandboxTransferLetter.Direction.INBOUND
            ).first()
            if row is None or row.answer is None:
                raise ports.UnknownLetter(f"{platform_ref}: no answered letter")
            if row.status == ports.LETTER_RECEIVED and timezone.now() >= row.due_at:
                SandboxTransferLetter.objects.filter(pk=row.pk, status=ports.LETTER_RECEIVED).update(
                    status=ports.COMPLETED
                )
                row.refresh_from_db()
        except DatabaseError as exc:
            raise ports.PlatformUnavailable("sandbox platform: store failed") from exc
        return row.status
