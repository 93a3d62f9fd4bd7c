"""Loan applications in the web hall and the API (pre-acceptance): the only writers of
``LoanApplication`` up to PRE_ACCEPTED; the staff approval chain (``loans.approval``) takes it on.

Applying, in order, so that nothing is asked of a government source for an application that is
refused anyway:

1. the form is checked (consent, amounts, term) and the applicant must have no open loan
   application (checked here for the friendly error; the partial unique constraint settles a race);
2. a named co-borrower must be a depositor of the centre, free of other open loan applications,
   and — asked of 民政, outside any transaction — the applicant's spouse;
3. the quota is computed from the centre's own balances (applicant + co-borrower) and the stated
   income and debt (``loans.selectors.loan_quota_estimate``); an amount above it is **refused**
   (the employee chooses; an empty amount takes the quota);
4. the LOAN_ELIGIBILITY rule set decides through ``approvals.services.submit_application`` (kind
   ``loan``): its own durable transaction writes the application, the decision record with facts,
   sources and reasons, and the query log;
5. one durable transaction writes the loan application (PRE_ACCEPTED, AWAITING_CO_BORROWER or
   REJECTED), its audit event and the messages (texted after commit).

A source that does not answer never rejects (DOMAIN.md §6): the decision is REFERRED, the
approvals review case is opened, and the loan application is **kept PRE_ACCEPTED with a note**
for the clerk who accepts it. Steps 4 and 5 are two transactions: when the second loses a race
for the one open application, the decision written by the first stays in the decision records
(its sources were asked) without a loan application.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from accounts.models import FundAccount, Person
from accounts.selectors import person_by_id_number
from appointments.models import BookingStatus
from appointments.services import book_appointment, cancel_appointment
from approvals.gathering import gather
from approvals.models import Application, DecisionPurpose, DecisionRecord, Outcome
from approvals.selectors import deciding_reasons, explained_reasons
from approvals.services import ApplicationInFlight, submit_application
from audit.services import record_event
from core.crypto import blind_index
from core.exceptions import DomainError
from core.identity import InvalidBankCard, check_bank_card
from core.money import format_yuan
from integrations.gov import ports
from integrations.gov.registry import gov_source
from ledger.selectors import balance_of
from loans.applications import SIGNING_STATUSES, WITHDRAWABLE_STATUSES
from loans.calculators import QuotaEstimate, QuotaInputs
from loans.models import (
    OPEN_LOAN_STATUSES,
    LoanAccount,
    LoanAccountStatus,
    LoanApplication,
    LoanStatus,
    PropertyKind,
    RepaymentMethod,
)
from loans.selectors import loan_quota_estimate
from notifications.services import notify
from notifications.text import Both, Join, Moment, Sentences, Text, yuan

KIND = "loan"
REASON = "LOAN_ELIGIBILITY"
SIGNING_SERVICE = "LOAN_SIGNING"
#: Where a message sends the borrowers: the application's page in the hall.
LINK = "/hall/loans/{pk}/"
#: A loan being paid out or repaid: its borrowers may not borrow again until it is settled.
REPAYING_STATUSES = (LoanAccountStatus.DISBURSING, LoanAccountStatus.ACTIVE)


class LoanApplicationError(DomainError):
    code = "LOAN_APPLICATION_ERROR"
    http_status = 400


class ConsentRequired(LoanApplicationError):
    code = "CONSENT_REQUIRED"


class InvalidLoanField(LoanApplicationError):
    code = "INVALID_LOAN_FIELD"


class AmountAboveQuota(LoanApplicationError):
    code = "AMOUNT_ABOVE_QUOTA"


class QuotaZero(LoanApplicationError):
    code = "QUOTA_ZERO"


class OpenLoanApplication(LoanApplicationError):
    code = "LOAN_APPLICATION_OPEN"
    http_status = 409


class LoanInRepayment(LoanApplicationError):
    """The centre's own loan book shows a loan of this person still being repaid (DOMAIN.md §7)."""

    code = "FUND_LOAN_IN_REPAYMENT"
    http_status = 409


class CoBorrowerUnknown(LoanApplicationError):
    code = "CO_BORROWER_UNKNOWN"


class CoBorrowerBusy(LoanApplicationError):
    code = "CO_BORROWER_BUSY"
    http_status = 409


class CoBorrowerNotSpouse(LoanApplicationError):
    code = "CO_BORROWER_NOT_SPOUSE"


class MarriageUnavailable(LoanApplicationError):
    code = "CIVIL_AFFAIRS_UNAVAILABLE"
    http_status = 409


class LoanApplicationNotFound(LoanApplicationError):
    code = "LOAN_APPLICATION_NOT_FOUND"
    http_status = 404


class NotYourLoanApplication(LoanApplicationError):
    code = "NOT_YOUR_LOAN_APPLICATION"
    http_status = 403


class LoanStatusConflict(LoanApplicationError):
    code = "LOAN_STATUS_CONFLICT"
    http_status = 409


class SigningAlreadyBooked(LoanApplicationError):
    code = "SIGNING_ALREADY_BOOKED"
    http_status = 409


# The payout to the seller carries the name in a 50-character holder field (payouts.Payout).
SELLER_NAME_MAX = 50


@dataclass(frozen=True)
class LoanTerms:
    """What the employee states about the home and the loan; amounts in fen, ``amount`` None for the quota."""

    property_kind: str
    property_ref: str
    house_price: int
    first_home: bool
    term_months: int
    repayment_method: str
    monthly_income: int
    other_monthly_debt: int = 0
    amount: int | None = None
    property_address: str = ""
    seller_name: str = ""
    # The account the loan is paid into (the developer's or the seller's), as on the purchase contract.
    seller_account: str = ""


# --- checks ------------------------------------------------------------------------------------


def _check_terms(terms: LoanTerms) -> None:
    if terms.property_kind not in PropertyKind.values:
        raise InvalidLoanField(_("Choose a new or a second-hand home."), field="property_kind")
    if not (terms.property_ref or "").strip():
        raise InvalidLoanField(
            _("Enter the purchase contract or property certificate number."), field="property_ref"
        )
    if terms.repayment_method not in RepaymentMethod.values:
        raise InvalidLoanField(_("Choose equal instalments or equal principal."), field="repayment_method")
    seller = (terms.seller_name or "").strip()
    if not seller or len(seller) > SELLER_NAME_MAX:
        raise InvalidLoanField(
            _("Enter the seller's name as on the purchase contract (at most %(n)s characters).")
            % {"n": SELLER_NAME_MAX},
            field="seller_name",
        )
    try:
        check_bank_card(terms.seller_account or "")
    except InvalidBankCard:
        raise InvalidLoanField(
            _("Enter the seller's bank account for the loan: 15 to 19 digits, as on the purchase contract."),
            field="seller_account",
        ) from None
    if terms.amount is not None and (isinstance(terms.amount, bool) or terms.amount <= 0):
        raise InvalidLoanField(
            _("Enter an amount above zero, or leave it empty for the pre-approved quota."), field="amount"
        )


def _is_open(person: Person, *, as_co_borrower: bool = True) -> bool:
    """Is ``person`` on an open loan application, as applicant (or co-borrower)?"""
    mine = Q(applicant=person) | (Q(co_borrower=person) if as_co_borrower else Q(pk__in=[]))
    return LoanApplication.objects.filter(mine, status__in=OPEN_LOAN_STATUSES).exists()


def _repaying(person: Person) -> bool:
    """Does ``person`` owe on a loan of this centre, as borrower or co-borrower? The centre's own
    book answers at once, whatever the credit report (reported once a month) says yet."""
    mine = Q(application__applicant=person) | Q(application__co_borrower=person)
    return LoanAccount.objects.filter(mine, status__in=REPAYING_STATUSES).exists()


def _open_error() -> OpenLoanApplication:
    return OpenLoanApplication(
        _("You already have a loan application in progress: follow it, or withdraw it first."),
        field="applicant",
    )


def _balance(person: Person) -> int:
    account = FundAccount.objects.filter(person=person).select_related("ledger_account").first()
    return balance_of(account.ledger_account) if account is not None else 0


def _co_borrower(applicant: Person, id_number: str, *, actor) -> Person:
    """The co-borrower named by ``id_number``: a depositor, free, and — per 民政 — the applicant's spouse.

    Asks 民政 outside any transaction; a source that does not answer refuses the co-borrower (it
    cannot be checked) and says so.
    """
    field = "co_borrower_id_number"
    person = person_by_id_number(id_number)
    if person is None or not FundAccount.objects.filter(person=person).exists():
        raise CoBorrowerUnknown(
            _("The co-borrower must be a depositor of this centre: check the ID number."), field=field
        )
    if person.pk == applicant.pk:
        raise CoBorrowerUnknown(_("Name your spouse as co-borrower, not yourself."), field=field)
    if _is_open(person):
        raise CoBorrowerBusy(_("The co-borrower is already on a loan application in progress."), field=field)
    if _repaying(person):
        raise CoBorrowerBusy(
            _("The co-borrower is still repaying a housing fund loan of this centre."), field=field
        )
    requester = actor.get_username() if actor is not None else "system:loans"
    source = gov_source(
        ports.CIVIL_AFFAIRS, purpose=f"loan-application:{uuid.uuid4()}", requested_by=requester
    )
    answer = gather({"marriage": lambda timeout: source.marriage(applicant.id_number, timeout=timeout)})[
        "marriage"
    ]
    if not answer.answered:
        raise MarriageUnavailable(
            _(
                "The civil affairs records did not answer, so your marriage could not be checked: "
                "try again later, or apply without a co-borrower."
            ),
            field=field,
        )
    record = answer.value
    spouse = record.spouse_id_number if record is not None and record.status == ports.MARRIED else None
    if not spouse or blind_index(spouse) != person.id_number_index:
        raise CoBorrowerNotSpouse(
            _(
                "The civil affairs records do not show this person as your spouse: "
                "only a spouse may co-borrow."
            ),
            field=field,
        )
    return person


def _estimate(applicant: Person, co_borrower: Person | None, terms: LoanTerms) -> QuotaEstimate:
    return loan_quota_estimate(
        QuotaInputs(
            balance=_balance(applicant),
            co_borrower_balance=_balance(co_borrower) if co_borrower is not None else 0,
            monthly_income=terms.monthly_income,
            other_monthly_debt=terms.other_monthly_debt,
            house_price=terms.house_price,
            first_home=terms.first_home,
            term_months=terms.term_months,
            has_co_borrower=co_borrower is not None,
        )
    )


def _granted_amount(terms: LoanTerms, estimate: QuotaEstimate) -> int:
    """The amount applied for: refused above the quota; without one, the quota itself."""
    if estimate.quota <= 0:
        raise QuotaZero(
            _("The pre-approved quota is zero (see the limits): the fund cannot lend on these figures."),
            field="amount",
        )
    if terms.amount is None:
        return estimate.quota
    if terms.amount > estimate.quota:
        raise AmountAboveQuota(
            _("The most the fund can lend you is %(quota)s yuan: enter at most that amount.")
            % {"quota": format_yuan(estimate.quota)},
            field="amount",
        )
    return terms.amount


def quota_limits_record(estimate: QuotaEstimate) -> dict:
    """What ``LoanApplication.quota_limits`` keeps: every limit in fen, which binds, and the basis."""
    return {
        "limits": dict(estimate.limits),
        "binding": estimate.binding,
        "affordable_payment": estimate.affordable_payment,
        "rate_key": estimate.rate.key,
        "rate_effective_from": estimate.rate.effective_from.isoformat(),
        "parameters": {key: str(value) for key, value in estimate.parameters.items()},
    }


# --- messages (stored text, in Chinese as every notification) -----------------------------------


def _tell(person: Person, loan: LoanApplication, *, kind: str, title, body, **params) -> None:
    """A message to ``person`` about ``loan``: message ids with ``params``, in the person's language."""
    notify(person=person, kind=kind, title=title, body=body, params=params, link=LINK.format(pk=loan.pk))


_CHECK_BY_HAND = _lazy(
    "Some data sources did not answer; staff will check them by hand when they take the case."
)


def _tell_decision(loan: LoanApplication, reasons: Iterable[dict], referred: bool) -> None:
    number = Text(_lazy(" (No. %(number)s)"), number=loan.pk)
    if loan.status == LoanStatus.REJECTED:
        _tell(
            loan.applicant,
            loan,
            kind="loan_rejected",
            title=_lazy("Housing fund loan application did not pass the pre-check"),
            body=Join(
                Text(
                    _lazy("Your housing fund loan application%(number)s did not pass the eligibility check."),
                    number=number,
                ),
                Sentences(Both.of(reason) for reason in reasons),
            ),
        )
        return
    figures = {"number": number, "quota": yuan(loan.quota), "amount": yuan(loan.amount)}
    check = _CHECK_BY_HAND if referred else ""
    if loan.status == LoanStatus.AWAITING_CO_BORROWER:
        _tell(
            loan.applicant,
            loan,
            kind="loan_pre_accepted",
            title=_lazy("Housing fund loan application awaiting the co-borrower"),
            body=Join(
                Text(
                    _lazy(
                        "Your housing fund loan application%(number)s has passed the pre-check: pre-approved "
                        "quota %(quota)s yuan, amount applied for %(amount)s yuan."
                    ),
                    **figures,
                ),
                check,
                _lazy("Ask your spouse to log in to the online service hall and confirm the joint loan."),
            ),
        )
        _tell(
            loan.co_borrower,
            loan,
            kind="loan_co_borrower_asked",
            title=_lazy("Please confirm the joint loan"),
            body=_lazy(
                "Your spouse has applied for a housing fund loan%(number)s of %(amount)s yuan, naming you as "
                "co-borrower. Log in to the online service hall to review and confirm it."
            ),
            number=number,
            amount=yuan(loan.amount),
        )
        return
    _tell(
        loan.applicant,
        loan,
        kind="loan_pre_accepted",
        title=_lazy("Housing fund loan application pre-accepted"),
        body=Join(
            Text(
                _lazy(
                    "Your housing fund loan application%(number)s has been pre-accepted: pre-approved quota "
                    "%(quota)s yuan, amount applied for %(amount)s yuan."
                ),
                **figures,
            ),
            check,
            _lazy("Book a time to sign the loan contract."),
        ),
    )


# --- use cases ---------------------------------------------------------------------------------


def _decision(application: Application) -> DecisionRecord:
    return application.decisions.filter(purpose=DecisionPurpose.APPLICATION).order_by("-pk").first()


def _unanswered(decision: DecisionRecord) -> list[str]:
    sources = (decision.sources or {}).items()
    return sorted(name for name, answer in sources if answer.get("outcome") == "UNAVAILABLE")


def apply_for_loan(
    *,
    applicant: Person,
    terms: LoanTerms,
    consent: bool,
    channel: str,
    actor,
    co_borrower_id_number: str | None = None,
) -> LoanApplication:
    """Apply online: eligibility by the rules, the quota from the centre's balances, at once.

    Returns the loan application: PRE_ACCEPTED, AWAITING_CO_BORROWER (a spouse co-borrower must
    confirm from their own login) or REJECTED with the rules' reasons in its decision.
    """
    # The service level runs from the moment the employee sends the application.
    submitted_at = timezone.now()
    if not consent:
        raise ConsentRequired(
            _("Agree to the checks above: the application cannot be decided without them."), field="consent"
        )
    _check_terms(terms)
    if _is_open(applicant):
        raise _open_error()
    if _repaying(applicant):
        raise LoanInRepayment(
            _("You are still repaying a housing fund loan of this centre: settle it before applying again."),
            field="applicant",
        )
    co_borrower = None
    if (co_borrower_id_number or "").strip():
        co_borrower = _co_borrower(applicant, co_borrower_id_number, actor=actor)
    estimate = _estimate(applicant, co_borrower, terms)
    amount = _granted_amount(terms, estimate)
    try:
        eligibility = submit_application(
            kind=KIND,
            reason=REASON,
            applicant=applicant,
            channel=channel,
            payload={
                # The register is searched for this contract or certificate among the applicant's
                # and spouse's homes (approvals.rulesets.loans).
                "property_ref": terms.property_ref.strip(),
                "term_months": terms.term_months,
                "amount": amount,
                "house_price": terms.house_price,
                "first_home": terms.first_home,
                "with_co_borrower": co_borrower is not None,
            },
            actor=actor,
        )
    except ApplicationInFlight as error:
        raise OpenLoanApplication(
            _("Your eligibility is already being checked by staff: wait for the result, then apply again."),
            field="applicant",
        ) from error
    decision = _decision(eligibility)
    referred = decision.outcome == Outcome.REFER
    now = timezone.now()
    if decision.outcome == Outcome.REJECT:
        status = LoanStatus.REJECTED
    elif co_borrower is not None:
        status = LoanStatus.AWAITING_CO_BORROWER
    else:
        status = LoanStatus.PRE_ACCEPTED
    reasons = explained_reasons(decision, language="zh-hans")
    if status == LoanStatus.REJECTED:
        note = "".join(reason["message"] for reason in reasons)
    elif referred:
        note = "资格审查中以下数据源未答复，受理时请人工核实：" + "、".join(_unanswered(decision))
    else:
        note = ""
    with transaction.atomic(durable=True):
        # Queue this applicant's submissions; the constraint below settles what the lock misses.
        Person.objects.select_for_update(no_key=True).filter(pk=applicant.pk).values_list("pk").get()
        if status != LoanStatus.REJECTED and _is_open(applicant):
            raise _open_error()
        loan = LoanApplication(
            applicant=applicant,
            co_borrower=co_borrower,
            eligibility=eligibility,
            status=status,
            property_kind=terms.property_kind,
            property_ref=terms.property_ref.strip(),
            property_address=(terms.property_address or "").strip(),
            house_price=terms.house_price,
            first_home=terms.first_home,
            seller_name=terms.seller_name.strip(),
            seller_account=check_bank_card(terms.seller_account).number,
            amount=amount,
            term_months=terms.term_months,
            repayment_method=terms.repayment_method,
            annual_rate=estimate.rate.annual,
            quota=estimate.quota,
            quota_limits=quota_limits_record(estimate),
            monthly_income=terms.monthly_income,
            other_monthly_debt=terms.other_monthly_debt,
            submitted_at=submitted_at,
            closed_at=now if status == LoanStatus.REJECTED else None,
            note=note,
        )
        try:
            # No savepoint: losing the race ends the transaction, which rolls back.
            loan.save(force_insert=True)
        except IntegrityError as error:
            raise _open_error() from error
        record_event(
            actor=actor,
            action="loans.application_submitted",
            target=loan,
            summary=f"loan application #{loan.pk}: {status} (decision #{decision.pk}, quota {loan.quota})",
            data={
                "status": status,
                "decision": decision.pk,
                "outcome": decision.outcome,
                "channel": channel,
                "amount": amount,
                "quota": estimate.quota,
                "binding": estimate.binding,
                "co_borrower": co_borrower.pk if co_borrower else None,
                "unanswered": _unanswered(decision),
            },
        )
        _tell_decision(loan, deciding_reasons(decision), referred)
    return loan


def _locked(loan_id: int) -> LoanApplication:
    # The row lock serialises every change of one application (the staff chain takes it too).
    loan = (
        LoanApplication.objects.select_for_update(of=("self",))
        .select_related("applicant", "co_borrower")
        .filter(pk=loan_id)
        .first()
    )
    if loan is None:
        raise LoanApplicationNotFound(_("There is no such loan application."))
    return loan


def _person_of(actor) -> Person | None:
    return Person.objects.filter(user=actor).first() if actor is not None and actor.is_authenticated else None


def _require_applicant(loan: LoanApplication, person: Person | None) -> None:
    if person is None or person.pk != loan.applicant_id:
        raise NotYourLoanApplication(_("Only the applicant may do this."))


def _require_status(loan: LoanApplication, allowed) -> None:
    if loan.status not in allowed:
        raise LoanStatusConflict(
            _("This cannot be done while the application is %(status)s.")
            % {"status": loan.get_status_display()}
        )


def _event(loan: LoanApplication, *, actor, action: str, before: str, **data) -> None:
    record_event(
        actor=actor,
        action=f"loans.{action}",
        target=loan,
        summary=f"loan application #{loan.pk}: {before} → {loan.status}",
        data={"from": before, "to": loan.status, **data},
    )


def confirm_co_borrower(*, loan_id: int, actor) -> LoanApplication:
    """The co-borrower, from their own login, confirms: AWAITING_CO_BORROWER → PRE_ACCEPTED."""
    person = _person_of(actor)
    with transaction.atomic(durable=True):
        loan = _locked(loan_id)
        if person is None or person.pk != loan.co_borrower_id:
            raise NotYourLoanApplication(_("Only the co-borrower named in the application may confirm it."))
        _require_status(loan, (LoanStatus.AWAITING_CO_BORROWER,))
        before = loan.status
        loan.status = LoanStatus.PRE_ACCEPTED
        loan.co_borrower_confirmed_at = timezone.now()
        loan.save(update_fields=["status", "co_borrower_confirmed_at"])
        _event(loan, actor=actor, action="co_borrower_confirmed", before=before)
        body = _lazy(
            "The co-borrower has confirmed the housing fund loan application (No. %(number)s); the "
            "application is pre-accepted. Book a time to sign the loan contract."
        )
        for person, title in (
            (loan.applicant, _lazy("Co-borrower confirmed")),
            (loan.co_borrower, _lazy("You have confirmed the joint loan")),
        ):
            _tell(person, loan, kind="loan_co_borrower_confirmed", title=title, body=body, number=loan.pk)
    return loan


def withdraw_loan_application(*, loan_id: int, actor) -> LoanApplication:
    """The applicant withdraws before the staff chain has it (and while returned to them).

    A booked signing appointment is cancelled after the commit, as the employee would cancel it.
    """
    person = _person_of(actor)
    with transaction.atomic(durable=True):
        loan = _locked(loan_id)
        _require_applicant(loan, person)
        _require_status(loan, WITHDRAWABLE_STATUSES)
        before = loan.status
        loan.status = LoanStatus.WITHDRAWN
        loan.closed_at = timezone.now()
        loan.save(update_fields=["status", "closed_at"])
        _event(loan, actor=actor, action="application_withdrawn", before=before)
        for person in (loan.applicant, loan.co_borrower):
            if person is not None:
                _tell(
                    person,
                    loan,
                    kind="loan_withdrawn",
                    title=_lazy("Housing fund loan application withdrawn"),
                    body=_lazy("Housing fund loan application (No. %(number)s) has been withdrawn."),
                    number=loan.pk,
                )
    booking = loan.signing_booking
    if booking is not None and booking.status == BookingStatus.BOOKED:
        # Too late to cancel, or already gone: the counter sees the withdrawn case.
        with suppress(DomainError):
            cancel_appointment(person=loan.applicant, booking_id=booking.pk, actor=actor)
    return loan


def resubmit_loan_application(*, loan_id: int, terms: LoanTerms, actor) -> LoanApplication:
    """RETURNED → PRE_ACCEPTED with the corrected details; the quota is worked out again from today's
    balances and parameters. The eligibility decision is kept (staff returned the details, not it)."""
    _check_terms(terms)
    person = _person_of(actor)
    loan = LoanApplication.objects.select_related("applicant", "co_borrower").filter(pk=loan_id).first()
    if loan is None:
        raise LoanApplicationNotFound(_("There is no such loan application."))
    _require_applicant(loan, person)
    estimate = _estimate(loan.applicant, loan.co_borrower, terms)
    amount = _granted_amount(terms, estimate)
    with transaction.atomic(durable=True):
        loan = _locked(loan_id)
        _require_status(loan, (LoanStatus.RETURNED,))
        before = loan.status
        loan.status = LoanStatus.PRE_ACCEPTED
        for field in ("property_kind", "house_price", "first_home", "term_months", "repayment_method"):
            setattr(loan, field, getattr(terms, field))
        loan.property_ref = terms.property_ref.strip()
        loan.property_address = (terms.property_address or "").strip()
        loan.seller_name = terms.seller_name.strip()
        loan.seller_account = check_bank_card(terms.seller_account).number
        loan.monthly_income, loan.other_monthly_debt = terms.monthly_income, terms.other_monthly_debt
        loan.amount, loan.quota = amount, estimate.quota
        loan.annual_rate = estimate.rate.annual
        loan.quota_limits = quota_limits_record(estimate)
        loan.save()
        _event(
            loan,
            actor=actor,
            action="application_resubmitted",
            before=before,
            amount=amount,
            quota=loan.quota,
        )
        _tell(
            loan.applicant,
            loan,
            kind="loan_resubmitted",
            title=_lazy("Housing fund loan application resubmitted"),
            body=_lazy(
                "Your corrected housing fund loan application (No. %(number)s) has been resubmitted: "
                "pre-approved quota %(quota)s yuan, amount applied for %(amount)s yuan. Please wait for "
                "approval."
            ),
            number=loan.pk,
            quota=yuan(loan.quota),
            amount=yuan(loan.amount),
        )
    return loan


def book_signing(*, loan_id: int, starts_at: datetime, counter_code: str, actor) -> LoanApplication:
    """Book the counter appointment (LOAN_SIGNING) where both borrowers sign the contract.

    The booking is made by ``appointments`` in its own transaction (its slot lock and message),
    then linked here under the application's lock; if the application changed meanwhile, the
    booking is cancelled again and the change refused.
    """
    person = _person_of(actor)
    loan = LoanApplication.objects.select_related("signing_booking").filter(pk=loan_id).first()
    if loan is None:
        raise LoanApplicationNotFound(_("There is no such loan application."))
    _require_applicant(loan, person)
    _require_status(loan, SIGNING_STATUSES)
    booked = loan.signing_booking
    if booked is not None and booked.status == BookingStatus.BOOKED and booked.ends_at > timezone.now():
        raise SigningAlreadyBooked(
            _("The signing is already booked: change or cancel it in my appointments."), field="starts_at"
        )
    booking = book_appointment(
        person=person,
        service=SIGNING_SERVICE,
        counter=counter_code,
        starts_at=starts_at,
        actor=actor,
        purpose_ref=f"loan-application:{loan.pk}",
    )
    try:
        with transaction.atomic(durable=True):
            loan = _locked(loan_id)
            _require_status(loan, SIGNING_STATUSES)
            loan.signing_booking = booking
            loan.save(update_fields=["signing_booking"])
            record_event(
                actor=actor,
                action="loans.signing_booked",
                target=loan,
                summary=f"loan application #{loan.pk}: signing booked ({booking.reference})",
                data={"booking": booking.pk, "reference": booking.reference, "counter": counter_code},
            )
            if loan.co_borrower is not None:
                _tell(
                    loan.co_borrower,
                    loan,
                    kind="loan_signing_booked",
                    title=_lazy("Loan contract signing booked"),
                    body=_lazy(
                        "The signing of the housing fund loan contract (No. %(number)s) is booked for "
                        "%(when)s at %(counter)s, booking number %(reference)s. The co-borrower should come "
                        "too, with their own ID card."
                    ),
                    number=loan.pk,
                    when=Moment(booking.starts_at),
                    counter=booking.counter.name,
                    reference=booking.reference,
                )
    except DomainError:
        cancel_appointment(person=person, booking_id=booking.pk, actor=actor)
        raise
    return loan


def after_eligibility_decided(*, application: Application, decision: DecisionRecord) -> None:
    """The approvals hook of kind ``loan``: a reviewer's decision on a referred eligibility check.

    A rejection by the reviewer rejects the loan application while it is still before the staff
    chain (waiting for the co-borrower or pre-accepted); an approval only clears the note's doubt,
    which the timeline shows. The automatic decision needs nothing here: ``apply_for_loan`` has
    already written the loan application from it.
    """
    if decision.purpose != DecisionPurpose.REVIEW or decision.outcome != Outcome.REJECT:
        return
    with transaction.atomic(durable=True):
        loan = (
            LoanApplication.objects.select_for_update(of=("self",))
            .select_related("applicant", "co_borrower")
            .filter(eligibility=application)
            .first()
        )
        if loan is None or loan.status not in (LoanStatus.AWAITING_CO_BORROWER, LoanStatus.PRE_ACCEPTED):
            return
        before = loan.status
        loan.status = LoanStatus.REJECTED
        loan.closed_at = timezone.now()
        loan.note = decision.note
        loan.save(update_fields=["status", "closed_at", "note"])
        _event(loan, actor=decision.decided_by, action="application_rejected_on_review", before=before)
        for person in (loan.applicant, loan.co_borrower):
            if person is not None:
                _tell(
                    person,
                    loan,
                    kind="loan_rejected",
                    title=_lazy("Housing fund loan application failed the eligibility check"),
                    body=_lazy(
                        "Staff have checked: your housing fund loan application (No. %(number)s) does not "
                        "meet the loan conditions: %(reason)s"
                    ),
                    number=loan.pk,
                    reason=decision.note,
                )
