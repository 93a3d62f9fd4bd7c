"""Sandbox only: have another centre write to us about one of our accounts, to try a transfer out.

The sandbox platform (``integrations.transfer_platform.sandbox``) plays the other centres of the
country; this picks the account (the one named, or the first sealed one: the kind a transfer out
can pass) and has the sandbox deliver a contact letter about it. The management command
``sandbox_transfer_letter`` and the staff transfers page both call :func:`write_sandbox_letter`;
the sweep then fetches the letter like any other.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import AccountStatus, FundAccount
from audit.services import record_event
from core.exceptions import DomainError
from integrations.transfer_platform.registry import transfer_platform
from integrations.transfer_platform.sandbox import SandboxTransferPlatform, send_incoming_letter


class SandboxLetterError(DomainError):
    code = "SANDBOX_LETTER"


class NotTheSandbox(SandboxLetterError):
    code = "NOT_THE_SANDBOX"


class NoSuchAccount(SandboxLetterError):
    code = "NO_SUCH_ACCOUNT"


class InvalidCity(SandboxLetterError):
    code = "INVALID_CITY"


@dataclass(frozen=True)
class SandboxLetter:
    platform_ref: str
    account_no: str
    city_code: str
    city_name: str


def sandbox_in_use() -> bool:
    """Is the platform in use the sandbox (settings, or a test's override)?"""
    return isinstance(transfer_platform(), SandboxTransferPlatform)


def write_sandbox_letter(*, account_no: str | None, city_code: str, city_name: str, actor) -> SandboxLetter:
    """Have the sandbox's centre of ``city_code`` write to us about ``account_no`` (default: the
    first sealed account). Refused unless the platform in use is the sandbox."""
    if not sandbox_in_use():
        raise NotTheSandbox(_("The transfer platform in use is not the sandbox."))
    code = (city_code or "").strip()
    if len(code) != 6 or not code.isdigit() or code == settings.FUND_CENTRE_CODE:
        raise InvalidCity(
            _("Name the writing city by its 6-digit code, another city than ours."), field="city"
        )
    name = (city_name or "").strip() or code
    accounts = FundAccount.objects.select_related("person").order_by("pk")
    number = (account_no or "").strip()
    account = (
        accounts.filter(account_no=number).first()
        if number
        else accounts.filter(status=AccountStatus.SEALED).first()
    )
    if account is None:
        raise NoSuchAccount(
            _("No fund account has this number.") if number else _("No fund account is sealed."),
            field="account_no",
        )
    with transaction.atomic(durable=True):
        letter = send_incoming_letter(
            id_number=account.person.id_number, name=account.person.name, city_code=code, city_name=name
        )
        record_event(
            actor=actor,
            actor_label=None if actor else "system:sandbox",
            action="transfers.sandbox_letter_written",
            target=account,
            summary=f"沙箱: {name}({code}) 就账户 {account.account_no} 发来转移联系函 {letter.platform_ref}",
            data={"platform_ref": letter.platform_ref, "city_code": code, "account": account.account_no},
        )
    return SandboxLetter(
        platform_ref=letter.platform_ref, account_no=account.account_no, city_code=code, city_name=name
    )
