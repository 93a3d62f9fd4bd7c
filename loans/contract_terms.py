"""The loan contract's terms read from a case: what :mod:`loans.contract` lays out, masked as the law asks.

Who may read a contract: the applicant and the co-borrower (from their own login) and staff;
nobody else, and nobody before the case is approved (until then there is no contract).

The repayment day printed is the loan account's once the loan is disbursed; before that it is
the day the contract is signed (or today), capped at 28 — the disbursement follows the signing
at once, so the two agree unless the payout fails and is retried on another day, in which case
the contract downloaded afterwards states the day of the disbursement that paid.
"""

from __future__ import annotations

from datetime import date

from django.utils import timezone

from accounts.models import Person
from accounts.roles import STAFF_ROLES, roles_of
from core.crypto import mask_bank_card, mask_id_number
from loans.calculators import Schedule
from loans.contract import ContractTerms, Party
from loans.models import LoanAccount, LoanApplication, LoanStatus
from loans.selectors import loan_schedule

#: The latest repayment day: every month has a 28th.
LAST_REPAYMENT_DAY = 28
#: A contract exists from the final approval on.
CONTRACT_STATUSES = (LoanStatus.APPROVED, LoanStatus.SIGNED, LoanStatus.DISBURSED)


def repayment_day_for(disbursed_on: date) -> int:
    """The day of the disbursement date, capped at 28 so it falls in every month."""
    return min(disbursed_on.day, LAST_REPAYMENT_DAY)


def contract_no(loan: LoanApplication) -> str:
    """``JK`` + the date of the final approval + the application's id: ``JK2026112600000042``."""
    approved_on = timezone.localdate(loan.approved_at) if loan.approved_at else timezone.localdate()
    return f"JK{approved_on:%Y%m%d}{loan.pk:08d}"


def has_contract(loan: LoanApplication) -> bool:
    return loan.status in CONTRACT_STATUSES and loan.approval_seal_id is not None


def is_borrower(*, loan: LoanApplication, user) -> bool:
    """Whether ``user`` is the applicant or the co-borrower of ``loan`` (their own login)."""
    if user is None or not user.is_authenticated:
        return False
    parties = [loan.applicant_id] + ([loan.co_borrower_id] if loan.co_borrower_id else [])
    return Person.objects.filter(pk__in=parties, user=user).exists()


def is_staff_reader(user) -> bool:
    return bool(roles_of(user) & STAFF_ROLES)


def may_read_contract(*, loan: LoanApplication, user) -> bool:
    """The applicant, the co-borrower and staff, once the case has a contract."""
    return has_contract(loan) and (is_staff_reader(user) or is_borrower(loan=loan, user=user))


def _party(person: Person | None) -> Party | None:
    if person is None:
        return None
    return Party(name=person.name, masked_id_number=mask_id_number(person.id_number))


def _signer_name(user) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


def approved_schedule(loan: LoanApplication) -> Schedule:
    """The case's schedule under the term limit in force when it was approved: a later change of
    ``loan.max_term_months`` never refuses a loan already approved."""
    return loan_schedule(
        principal=loan.amount,
        annual_rate=loan.annual_rate,
        months=loan.term_months,
        method=loan.repayment_method,
        on=timezone.localdate(loan.approved_at),
    )


def contract_terms(loan: LoanApplication, *, verify_url: str) -> ContractTerms:
    """The contract of an approved case; ``verify_url`` is where its seal code can be checked."""
    account = LoanAccount.objects.filter(application=loan).only("repayment_day").first()
    if account is not None:
        repayment_day = account.repayment_day
    else:
        signed_on = timezone.localdate(loan.signed_at) if loan.signed_at else timezone.localdate()
        repayment_day = repayment_day_for(signed_on)
    schedule = approved_schedule(loan)
    return ContractTerms(
        contract_no=contract_no(loan),
        borrower=_party(loan.applicant),
        co_borrower=_party(loan.co_borrower),
        property_kind=loan.property_kind,
        property_ref=loan.property_ref,
        property_address=loan.property_address,
        house_price=loan.house_price,
        first_home=loan.first_home,
        seller_name=loan.seller_name,
        masked_seller_account=mask_bank_card(loan.seller_account),
        schedule=schedule,
        repayment_day=repayment_day,
        approved_at=timezone.localtime(loan.approved_at),
        seal_code=loan.approval_seal.code,
        verify_url=verify_url,
        signed_at=timezone.localtime(loan.signed_at) if loan.signed_at else None,
        signed_before=_signer_name(loan.signed_by),
    )


def contract_case(loan_id: int) -> LoanApplication | None:
    """A case with everything its contract and disbursement pages show, or None."""
    return (
        LoanApplication.objects.select_related(
            "applicant", "co_borrower", "approval_seal", "signed_by", "signing_booking__counter"
        )
        .filter(pk=loan_id)
        .first()
    )


def cases_to_sign_or_disburse() -> list[LoanApplication]:
    """Approved cases waiting for the signing, then signed ones waiting for their money, oldest first."""
    return list(
        LoanApplication.objects.select_related("applicant", "signing_booking")
        .filter(status__in=[LoanStatus.APPROVED, LoanStatus.SIGNED])
        .order_by("approved_at", "pk")
    )
