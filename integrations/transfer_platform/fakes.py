"""An in-memory transfer platform for tests, driven by the test.

    platform = FakeTransferPlatform()
    receipt = ...                                   # our code sends a letter
    platform.answer("TI-…", reply)                  # the sender replied and paid: COMPLETED
    platform.refuse("TI-…", LOAN_UNSETTLED)         # the sender refused: REJECTED
    platform.set_status("TI-…", NEGOTIATING)        # any other status
    platform.deliver(incoming_letter)               # another centre writes to us
    platform.complete_out("PLT-…")                  # the receiver got our money: COMPLETED
    platform.unavailable = True                     # every call: PlatformUnavailable

``letters`` holds our letters by reference (one per reference, however often sent), ``answers``
our answers to incoming letters, and ``calls`` the operation names.
"""

from __future__ import annotations

import threading
from datetime import date

from django.utils import timezone

from . import ports


class FakeTransferPlatform:
    def __init__(self, *, unavailable: bool = False):
        self.unavailable = unavailable
        self.letters: dict[str, ports.ContactLetter] = {}
        self.receipts: dict[str, ports.LetterReceipt] = {}
        self.statuses: dict[str, ports.LetterStatus] = {}
        self.incoming: dict[str, ports.IncomingLetter] = {}
        self.answers: dict[str, ports.TransferReply | ports.Refusal] = {}
        self.out_statuses: dict[str, str] = {}
        self.calls: list[str] = []
        self._lock = threading.Lock()

    def _call(self, name: str, timeout: float) -> None:
        ports.check_timeout(timeout)
        self.calls.append(name)
        if self.unavailable:
            raise ports.PlatformUnavailable("fake platform: unavailable")

    def send_contact_letter(self, *, letter: ports.ContactLetter, timeout: float) -> ports.LetterReceipt:
        with self._lock:
            self._call("send_contact_letter", timeout)
            ports.check_letter(letter)
            known = self.letters.get(letter.letter_ref)
            if known is not None and known != letter:
                raise ports.LetterRejected(f"{letter.letter_ref}: reference already used for another letter")
            if known is None:
                platform_ref = f"FAKE{len(self.receipts) + 1:08d}"
                self.letters[letter.letter_ref] = letter
                self.receipts[letter.letter_ref] = ports.LetterReceipt(
                    letter_ref=letter.letter_ref, platform_ref=platform_ref, accepted_at=timezone.now()
                )
                self.statuses[letter.letter_ref] = ports.LetterStatus(
                    letter_ref=letter.letter_ref, platform_ref=platform_ref, status=ports.LETTER_REVIEWED
                )
            return self.receipts[letter.letter_ref]

    def letter_status(self, *, letter_ref: str, timeout: float) -> ports.LetterStatus:
        with self._lock:
            self._call("letter_status", timeout)
            if letter_ref not in self.statuses:
                raise ports.UnknownLetter(f"{letter_ref}: no such letter")
            return self.statuses[letter_ref]

    def poll_incoming_letters(self, *, timeout: float) -> list[ports.IncomingLetter]:
        with self._lock:
            self._call("poll_incoming_letters", timeout)
            return [letter for ref, letter in self.incoming.items() if ref not in self.answers]

    def reply_to_letter(
        self, *, platform_ref: str, answer: ports.TransferReply | ports.Refusal, timeout: float
    ) -> None:
        with self._lock:
            self._call("reply_to_letter", timeout)
            ports.check_answer(answer)
            if platform_ref not in self.incoming:
                raise ports.UnknownLetter(f"{platform_ref}: no such letter")
            known = self.answers.get(platform_ref)
            if known is not None and known != answer:
                raise ports.LetterRejected(f"{platform_ref}: already answered otherwise")
            self.answers[platform_ref] = answer
            self.out_statuses.setdefault(
                platform_ref, ports.REJECTED if isinstance(answer, ports.Refusal) else ports.LETTER_RECEIVED
            )

    def confirm_transfer_out(self, *, platform_ref: str, timeout: float) -> str:
        with self._lock:
            self._call("confirm_transfer_out", timeout)
            if platform_ref not in self.answers:
                raise ports.UnknownLetter(f"{platform_ref}: not answered")
            return self.out_statuses[platform_ref]

    # --- driving the fake -----------------------------------------------------------------

    def _set(self, letter_ref: str, **fields) -> None:
        with self._lock:
            current = self.statuses[letter_ref]
            self.statuses[letter_ref] = ports.LetterStatus(
                letter_ref=letter_ref, platform_ref=current.platform_ref, **fields
            )

    def answer(self, letter_ref: str, reply: ports.TransferReply, *, arrived_on: date | None = None) -> None:
        self._set(
            letter_ref, status=ports.COMPLETED, reply=reply, arrived_on=arrived_on or timezone.localdate()
        )

    def refuse(self, letter_ref: str, reason_code: str) -> None:
        self._set(letter_ref, status=ports.REJECTED, refusal_code=reason_code)

    def set_status(self, letter_ref: str, status: str) -> None:
        self._set(letter_ref, status=status)

    def deliver(self, letter: ports.IncomingLetter) -> None:
        with self._lock:
            self.incoming[letter.platform_ref] = letter

    def complete_out(self, platform_ref: str, status: str = ports.COMPLETED) -> None:
        with self._lock:
            self.out_statuses[platform_ref] = status
