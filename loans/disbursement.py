"""Signing the loan contract at the counter and disbursing the loan to the seller (签约、放款).

    APPROVED ─sign_contract─▶ SIGNED ─disburse_loan─▶ (payout to the seller) ─paid─▶ DISBURSED
                                 ▲                           │
                                 └──────── failed ◀──────────┘  (money back; staff retry)

- :func:`sign_contract`: a member of staff (clerk or above) records, at the appointment, that the
  borrowers signed; only an APPROVED case whose approval seal is the centre's, unrevoked and still
  matches the case (``audit.seals.verify_seal`` over ``loans.approval.approval_digest``). After
  commit it queues the disbursement (``loans.tasks.disburse_loan``).
- :func:`disburse_loan`: in one transaction opens the loan's ledger account ``LOAN-<no>``, posts
  debit ``LOAN-<no>`` / credit ``PAYOUT_CLEARING`` (the part spread by the loan's id), creates the
  payout to the seller's account (purpose ``loan_disbursement``) and the :class:`LoanAccount` with
  its schedule. The case stays SIGNED until the bank pays. Replays return the same account.
- The payout's hooks (``loans.hooks``) call :func:`record_disbursement_paid` (DISBURSED at the
  bank's settlement time) and :func:`record_disbursement_failed` (the payouts app has already
  reversed the posting, so nothing is owed: the account becomes NOT_DISBURSED, the case stays
  SIGNED with a note). A retry is a staff decision: :func:`disburse_loan` with an ``actor`` posts
  again and pays under a new source reference, ``loan-disbursement:<id>:<attempt>``.

Business type: the ledger's types (JGJ/T 320 业务类型) are the deposit side's only and have no loan
movement (DOMAIN.md §2 lists loan movements, 01 发放…, apart). Until the ledger has one, a
disbursement posts as 06 内部转移 (:data:`DISBURSEMENT_BUSINESS_TYPE`): it moves money between the
centre's own accounts and no member's fund account, which is what 06 means to the ledger's
readers (fund statements never show it; a fund statement reads FUND accounts only); the memo names
it 贷款发放 so the journal says what it was.

Repayment day: the day of the month the money left (the disbursement date), capped at 28 so it
exists in every month; the first instalment falls on that day of the next month.
"""

from __future__ import annotations

import logging
from datetime import date

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts import roles
from accounts.models import Person
from audit.seals import SealNotFound, verify_seal
from audit.services import record_event
from core.exceptions import DomainError
from core.identity import InvalidBankCard, check_bank_card
from core.money import format_yuan
from ledger.centre import PAYOUT_CLEARING
from ledger.models import BusinessType
from ledger.selectors import balance_of
from ledger.services import Line, centre_account, open_loan_ledger_account, post_entry
from loans.approval import SEAL_KIND, LoanNotFound, approval_digest, loan_reviewer_conflict
from loans.contract_terms import approved_schedule, contract_no, repayment_day_for
from loans.models import (
    InstalmentStatus,
    LoanAccount,
    LoanAccountStatus,
    LoanApplication,
    LoanInstalment,
    LoanStatus,
)
from notifications.text import Day, yuan
from payouts.models import Payout, PayoutStatus
from payouts.services import create_payout

logger = logging.getLogger(__name__)

DISBURSEMENT_PURPOSE = "loan_disbursement"
SOURCE_PREFIX = "loan-disbursement"
#: See the module docstring: the ledger has no loan business type yet.
DISBURSEMENT_BUSINESS_TYPE = BusinessType.INTERNAL_TRANSFER
#: Who records a signing or retries a disbursement: clerk or above (the auditor only reads).
SIGNING_ROLES = roles.CONFIRMING_STAFF_ROLES
#: The payout's card holder is at most this long (payouts.Payout.holder_name).
HOLDER_NAME_MAX_LENGTH = Payout._meta.get_field("holder_name").max_length
#: A failure note starts so; a later successful payout clears it.
FAILURE_NOTE_PREFIX = "放款失败"


# Refusals -------------------------------------------------------------------------------------


class SignerNotPermitted(DomainError):
    code = "SIGNER_NOT_PERMITTED"
    http_status = 403


class SignerConflict(DomainError):
    code = "SIGNER_CONFLICT"
    http_status = 403


class LoanNotApproved(DomainError):
    code = "LOAN_NOT_APPROVED"
    http_status = 409


class ApprovalSealInvalid(DomainError):
    code = "APPROVAL_SEAL_INVALID"
    http_status = 409


class SellerAccountInvalid(DomainError):
    code = "SELLER_ACCOUNT_INVALID"
    http_status = 409


class LoanNotSigned(DomainError):
    code = "LOAN_NOT_SIGNED"
    http_status = 409


class RetryNeedsStaff(DomainError):
    code = "DISBURSEMENT_RETRY_NEEDS_STAFF"
    http_status = 409


# Numbers and dates ----------------------------------------------------------------------------


def source_ref_for(loan_id: int, attempt: int) -> str:
    """The payout's source reference, also the posting's idempotency key: one per attempt."""
    base = f"{SOURCE_PREFIX}:{loan_id}"
    return base if attempt == 1 else f"{base}:{attempt}"


def loan_id_of_source(source_ref: str) -> int | None:
    """``loan-disbursement:42`` or ``loan-disbursement:42:2`` → 42; anything else → None."""
    prefix, _sep, rest = (source_ref or "").partition(":")
    number = rest.split(":", 1)[0]
    return int(number) if prefix == SOURCE_PREFIX and number.isdigit() else None


def account_no_for(loan_id: int, on: date) -> str:
    """``DK`` + the disbursement date + the application's id: ``DK2026112600000042``."""
    return f"DK{on:%Y%m%d}{loan_id:08d}"


def due_dates(*, disbursed_on: date, months: int) -> list[date]:
    """The repayment day of each month, from the month after the disbursement, ``months`` times."""
    day = repayment_day_for(disbursed_on)
    dates = []
    for offset in range(1, months + 1):
        year, month = divmod(disbursed_on.month - 1 + offset, 12)
        dates.append(date(disbursed_on.year + year, month + 1, day))
    return dates


# Checks ---------------------------------------------------------------------------------------


def _require_signer(actor) -> None:
    if (
        actor is None
        or not actor.is_authenticated
        or not actor.is_active
        or not actor.is_staff
        or not roles.roles_of(actor) & SIGNING_ROLES
    ):
        raise SignerNotPermitted(_("Only a clerk or senior staff may record the signing or disburse a loan."))


def may_sign(*, actor) -> bool:
    """Whether ``actor`` holds a role that records signings and retries disbursements (for buttons)."""
    try:
        _require_signer(actor)
    except SignerNotPermitted:
        return False
    return True


def _check_seal(loan: LoanApplication) -> None:
    """The approval seal is the centre's, in force, of this case, and seals the case as it is now."""
    refusal = ApprovalSealInvalid(
        _("The approval seal of this loan cannot be verified: the contract may not be signed or paid.")
    )
    if loan.approval_seal_id is None:
        raise refusal
    try:
        verdict = verify_seal(code=loan.approval_seal.code, digest=approval_digest(loan))
    except SealNotFound:
        raise refusal from None
    seal = verdict.seal
    if not verdict.in_force or seal.kind != SEAL_KIND or seal.subject != f"loan-application:{loan.pk}":
        raise refusal


def _check_seller(loan: LoanApplication) -> str:
    """The seller's account as the bank takes it; refuses a missing or malformed one."""
    name = (loan.seller_name or "").strip()
    if not name or len(name) > HOLDER_NAME_MAX_LENGTH:
        raise SellerAccountInvalid(
            _("The seller's name is missing or longer than %(count)s characters.")
            % {"count": HOLDER_NAME_MAX_LENGTH}
        )
    try:
        return check_bank_card(loan.seller_account or "").number
    except InvalidBankCard:
        raise SellerAccountInvalid(
            _("The seller's bank account is missing or not a valid account number.")
        ) from None


def _locked_loan(loan_id: int) -> LoanApplication:
    # The case row serialises signing, disbursing and the payout's hooks for one loan.
    loan = LoanApplication.objects.select_for_update().filter(pk=loan_id).first()
    if loan is None:
        raise LoanNotFound(_("There is no loan application No. %(number)s.") % {"number": loan_id})
    return loan


# Messages (message ids, rendered in each borrower's language) ----------------------------------


def account_link(loan_id: int) -> str:
    return f"/hall/loans/{loan_id}/account/"


def _notify(loan: LoanApplication, *, kind: str, title, body, co_borrower: bool, **params) -> None:
    from notifications.services import notify

    people = [loan.applicant_id] + ([loan.co_borrower_id] if co_borrower and loan.co_borrower_id else [])
    for person in Person.objects.filter(pk__in=people).order_by("pk"):
        notify(person=person, kind=kind, title=title, body=body, params=params, link=account_link(loan.pk))


# Signing --------------------------------------------------------------------------------------


def sign_contract(*, loan_id: int, actor) -> LoanApplication:
    """Record that the borrowers signed the contract before ``actor``; then queue the disbursement.

    A replay on a case already signed (or disbursed) returns it unchanged. Raises
    :class:`SignerNotPermitted`, :class:`SignerConflict`, :class:`LoanNotApproved`,
    :class:`ApprovalSealInvalid` and :class:`SellerAccountInvalid`.
    """
    _require_signer(actor)
    with transaction.atomic(durable=True):
        loan = _locked_loan(loan_id)
        if loan.status in (LoanStatus.SIGNED, LoanStatus.DISBURSED):
            return loan
        if loan.status != LoanStatus.APPROVED:
            raise LoanNotApproved(_("Only an approved loan's contract can be signed."))
        if loan_reviewer_conflict(loan=loan, actor=actor) is not None:
            raise SignerConflict(_("You may not handle your own or a relative's loan."))
        _check_seal(loan)
        _check_seller(loan)
        loan.status, loan.signed_at, loan.signed_by = LoanStatus.SIGNED, timezone.now(), actor
        loan.save(update_fields=["status", "signed_at", "signed_by"])
        number = contract_no(loan)
        record_event(
            actor=actor,
            action="loans.contract_signed",
            target=loan,
            summary=f"贷款申请 #{loan.pk} 借款合同 {number} 已签订",
            data={"contract_no": number, "seal": loan.approval_seal.code, "amount_fen": loan.amount},
        )
        _notify(
            loan,
            kind="loan_contract_signed",
            title=_("Loan contract signed"),
            body=_(
                "Your housing fund loan contract (No. %(contract)s) has been signed; the loan of %(amount)s "
                "yuan will be paid to the seller's account."
            ),
            co_borrower=False,
            contract=number,
            amount=yuan(loan.amount),
        )
        transaction.on_commit(lambda: _queue_disbursement(loan.pk))
    return loan


def _queue_disbursement(loan_id: int) -> None:
    from loans.tasks import disburse_loan as task

    task.delay(loan_id=loan_id)


# Disbursing -----------------------------------------------------------------------------------


def disburse_loan(*, loan_id: int, actor=None, business_on: date | None = None) -> LoanAccount:
    """Pay signed loan ``loan_id`` to the seller through the payout pipeline; safe to repeat.

    ``business_on`` dates the disbursement (the loan's opening and its schedule): today, unless
    a record of the past is written (the demo's history).

    Returns the loan account: DISBURSING while the payout is on its way (a replay returns it
    unchanged), ACTIVE once paid. After a failed payout (NOT_DISBURSED) only a member of staff
    (``actor``) may try again; the task that follows a signing passes none, so it never re-sends
    money the bank just refused. Raises :class:`LoanNotSigned`, :class:`RetryNeedsStaff`,
    :class:`SellerAccountInvalid`.
    """
    if actor is not None:
        _require_signer(actor)
    with transaction.atomic(durable=True):
        loan = _locked_loan(loan_id)
        account = (
            LoanAccount.objects.select_for_update(of=("self",))
            .select_related("payout", "ledger_account")
            .filter(application=loan)
            .first()
        )
        if account is not None and account.status == LoanAccountStatus.DISBURSING:
            # A result whose hook was lost is applied here, under the same locks the hooks take.
            _apply_result(loan, account)
        if account is not None and account.status != LoanAccountStatus.NOT_DISBURSED:
            return account
        if account is not None and actor is None:
            raise RetryNeedsStaff(_("The last disbursement failed: a member of staff must retry it."))
        if loan.status != LoanStatus.SIGNED:
            raise LoanNotSigned(_("Only a loan whose contract has been signed can be disbursed."))
        _check_seal(loan)
        card_no = _check_seller(loan)
        return _disburse(loan, account, card_no, actor, business_on or timezone.localdate())


def _disburse(
    loan: LoanApplication, account: LoanAccount | None, card_no: str, actor, today: date
) -> LoanAccount:
    attempt = 1 if account is None else account.disbursement_attempts + 1
    ref = source_ref_for(loan.pk, attempt)
    number = contract_no(loan)
    if account is None:
        account_no = account_no_for(loan.pk, today)
        ledger_account = open_loan_ledger_account(account_no=account_no)
    else:
        account_no, ledger_account = account.account_no, account.ledger_account
    schedule = approved_schedule(loan)
    # Spread by loan: disbursements at once post to different rows of the clearing account.
    clearing = centre_account(PAYOUT_CLEARING, spread_by=loan.pk)
    entry = post_entry(
        lines=[Line(ledger_account, debit=loan.amount), Line(clearing, credit=loan.amount)],
        business_type=DISBURSEMENT_BUSINESS_TYPE,
        business_on=today,
        idempotency_key=ref,
        memo=f"贷款发放 合同{number} 第{attempt}次",
        actor=actor,
    )
    payout = create_payout(
        person=Person.objects.get(pk=loan.applicant_id),
        amount_fen=loan.amount,
        card_no=card_no,
        holder_name=loan.seller_name.strip(),
        purpose=DISBURSEMENT_PURPOSE,
        source_ref=ref,
        debit_entry=entry,
        actor=actor,
    )
    dates = due_dates(disbursed_on=today, months=schedule.months)
    fields = {
        "opened_on": today,
        "repayment_day": repayment_day_for(today),
        "first_due_on": dates[0],
        "status": LoanAccountStatus.DISBURSING,
        "payout": payout,
        "disbursement_attempts": attempt,
    }
    if account is None:
        account = LoanAccount.objects.create(
            application=loan,
            account_no=account_no,
            ledger_account=ledger_account,
            principal=loan.amount,
            annual_rate=loan.annual_rate,
            term_months=schedule.months,
            repayment_method=loan.repayment_method,
            **fields,
        )
        LoanInstalment.objects.bulk_create(
            [
                LoanInstalment(
                    account=account,
                    period=row.period,
                    due_on=due_on,
                    payment=row.payment,
                    principal=row.principal,
                    interest=row.interest,
                    remaining=row.remaining,
                )
                for row, due_on in zip(schedule.instalments, dates, strict=True)
            ]
        )
    else:
        # Nothing was lent on the failed attempt, so nothing was due: the schedule is re-dated
        # from this disbursement, the amounts (same principal, rate and term) stay as they were.
        for name, value in fields.items():
            setattr(account, name, value)
        account.save(update_fields=list(fields))
        instalments = list(account.instalments.order_by("period"))
        for instalment, due_on in zip(instalments, dates, strict=True):
            instalment.due_on = due_on
        LoanInstalment.objects.bulk_update(instalments, ["due_on"])
    record_event(
        actor=actor,
        actor_label=None if actor is not None else "system:loans",
        action="loans.disbursement_sent",
        target=account,
        summary=(
            f"贷款申请 #{loan.pk} 放款 {format_yuan(loan.amount)} 元 第{attempt}次, "
            f"贷款账户 {account_no}, 代付 {payout.reference}"
        ),
        data={
            "loan_application": loan.pk,
            "account_no": account_no,
            "attempt": attempt,
            "payout": payout.reference,
            "entry_id": entry.pk,
            "amount_fen": loan.amount,
        },
    )
    return account


# The payout's result (the hooks) ---------------------------------------------------------------


def record_disbursement_result(*, payout_id: int) -> LoanAccount | None:
    """Apply the settled result of disbursement payout ``payout_id``, once (the hooks call it).

    Paid: the account is ACTIVE and the case DISBURSED at the payout's settlement time; the
    borrowers are told. Failed: the payouts app has already reversed the posting (the loan's
    ledger account is back at 0), so the account is NOT_DISBURSED and the case stays SIGNED with
    a note, for staff to retry. A repeated call, or a payout of an earlier attempt, changes nothing.
    """
    payout = Payout.objects.filter(pk=payout_id).first()
    loan_id = loan_id_of_source(payout.source_ref) if payout is not None else None
    if loan_id is None:
        logger.warning("payout %s is not a loan disbursement", payout_id)
        return None
    with transaction.atomic(durable=True):
        loan = _locked_loan(loan_id)
        account = (
            LoanAccount.objects.select_for_update(of=("self",))
            .select_related("payout")
            .filter(application=loan)
            .first()
        )
        if account is None or account.payout_id != payout_id:
            # An earlier attempt's payout: its result was recorded when it came.
            logger.warning("payout %s is not the current disbursement of loan %s", payout_id, loan_id)
            return account
        _apply_result(loan, account)
    return account


def _apply_result(loan: LoanApplication, account: LoanAccount) -> None:
    """Apply the current payout's final result to a DISBURSING account; nothing otherwise."""
    payout = account.payout
    if account.status != LoanAccountStatus.DISBURSING or payout.status not in (
        PayoutStatus.PAID,
        PayoutStatus.FAILED,
    ):
        return
    number = contract_no(loan)
    if payout.status == PayoutStatus.PAID:
        account.status = LoanAccountStatus.ACTIVE
        account.save(update_fields=["status"])
        loan.status, loan.disbursed_at = LoanStatus.DISBURSED, payout.settled_at
        if loan.note.startswith(FAILURE_NOTE_PREFIX):
            loan.note = ""
        loan.save(update_fields=["status", "disbursed_at", "note"])
        record_event(
            actor=None,
            actor_label="system:loans",
            action="loans.disbursed",
            target=loan,
            summary=f"贷款申请 #{loan.pk} 已放款 {format_yuan(loan.amount)} 元, 代付 {payout.reference}",
            data={"account_no": account.account_no, "payout": payout.reference},
        )
        _notify(
            loan,
            kind="loan_disbursed",
            title=_("Housing fund loan disbursed"),
            body=_(
                "The loan of %(amount)s yuan under loan contract No. %(contract)s has been paid to the "
                "seller's account. Loan account number %(account)s; first repayment due on %(first_due)s."
            ),
            co_borrower=True,
            contract=number,
            amount=yuan(loan.amount),
            account=account.account_no,
            first_due=Day(account.first_due_on),
        )
        return
    account.status = LoanAccountStatus.NOT_DISBURSED
    account.save(update_fields=["status"])
    loan.note = (
        f"{FAILURE_NOTE_PREFIX}（{payout.failure_code}）："
        "款项已退回，请核实售房人收款账户后由工作人员重新放款。"
    )
    loan.save(update_fields=["note"])
    record_event(
        actor=None,
        actor_label="system:loans",
        action="loans.disbursement_failed",
        target=loan,
        summary=f"贷款申请 #{loan.pk} 放款失败 {payout.failure_code}, 代付 {payout.reference} 已退回",
        data={
            "account_no": account.account_no,
            "payout": payout.reference,
            "failure_code": payout.failure_code,
        },
    )
    _notify(
        loan,
        kind="loan_disbursement_failed",
        title=_("Housing fund loan not disbursed yet"),
        body=_(
            "The loan under loan contract No. %(contract)s could not be paid into the seller's account and "
            "has come back; the centre will check and pay it again."
        ),
        co_borrower=False,
        contract=number,
    )


# Staff downloading a contract ------------------------------------------------------------------


def record_contract_download(*, loan_id: int, actor) -> None:
    """A member of staff downloaded a case's contract (personal data leaves the portal): audited."""
    with transaction.atomic(durable=True):
        record_event(
            actor=actor,
            action="loans.contract_downloaded",
            target=LoanApplication.objects.only("pk").get(pk=loan_id),
            summary=f"下载贷款申请 #{loan_id} 借款合同",
            data={"loan_application": loan_id},
        )


# Reads for the pages -----------------------------------------------------------------------------


def loan_account_of(loan: LoanApplication) -> LoanAccount | None:
    return LoanAccount.objects.select_related("payout", "ledger_account").filter(application=loan).first()


def outstanding_principal(account: LoanAccount) -> int:
    """The principal owed: the balance of the loan's ledger account (0 while not disbursed)."""
    return balance_of(account.ledger_account)


def instalments_of(account: LoanAccount) -> list[LoanInstalment]:
    """The schedule in force: every instalment not replaced by a later schedule, by number."""
    return list(account.instalments.exclude(status=InstalmentStatus.SUPERSEDED).order_by("period"))


def disbursement_payouts(loan: LoanApplication) -> list[Payout]:
    """Every payout of the loan's disbursement, latest attempt first."""
    first = source_ref_for(loan.pk, 1)
    return list(
        Payout.objects.filter(purpose=DISBURSEMENT_PURPOSE)
        .filter(Q(source_ref=first) | Q(source_ref__startswith=f"{first}:"))
        .order_by("-pk")
    )


def unrecorded_disbursement_payout_ids() -> list[int]:
    """Payouts already paid or failed whose loan account still waits for the result."""
    return list(
        LoanAccount.objects.filter(
            status=LoanAccountStatus.DISBURSING, payout__status__in=[PayoutStatus.PAID, PayoutStatus.FAILED]
        )
        .order_by("pk")
        .values_list("payout_id", flat=True)
    )
