"""The loan contract and its disbursement: the contract PDF, the staff's "sign and disburse" pages,
and the borrower's loan account with its schedule.

- the contract PDF (``loans/<id>/contract.pdf``) for the applicant, the co-borrower and staff only
  (anyone else, or a case without a contract yet, finds nothing); a staff download is audited;
- staff (``staff/loans/contracts/``): the approved and signed cases; a case's page shows the
  appointment, the contract, a button to record the signing (clerk or above), then the payout to
  the seller (waiting, sent, paid, failed) with a retry button after a failure;
- the borrowers (``hall/loans/<id>/account/``): the loan account, the principal owed and every
  instalment.

Each action is one service call (``loans.disbursement``); its refusal is shown, not hidden.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.crypto import mask_bank_card, mask_id_number
from core.exceptions import DomainError
from loans import disbursement
from loans.approval import verify_approval_seal
from loans.calculators import percent_text
from loans.contract import loan_contract_pdf
from loans.contract_terms import (
    cases_to_sign_or_disburse,
    contract_case,
    contract_no,
    contract_terms,
    has_contract,
    is_borrower,
    may_read_contract,
)
from loans.models import LoanAccountStatus, LoanStatus
from loans.repayment_selectors import loan_position, repayments_of
from web import loans_repayment
from web.access import staff_only


def _person_label(person) -> str:
    return f"{person.name} ({mask_id_number(person.id_number)})" if person is not None else ""


def _case_or_404(pk: int):
    loan = contract_case(pk)
    if loan is None or not has_contract(loan):
        raise Http404
    return loan


def _counter_name(counter) -> str:
    if get_language() == "en" and counter.name_en:
        return counter.name_en
    return counter.name


# The contract PDF ---------------------------------------------------------------------------


@login_required
def contract_pdf(request, pk: int):
    loan = contract_case(pk)
    # Not a party nor staff: the same answer as no such case, so ids reveal nothing.
    if loan is None or not may_read_contract(loan=loan, user=request.user):
        raise Http404
    verify_url = request.build_absolute_uri(reverse("web:seal", args=[loan.approval_seal.code]))
    document = loan_contract_pdf(contract_terms(loan, verify_url=verify_url))
    if not is_borrower(loan=loan, user=request.user):
        disbursement.record_contract_download(loan_id=loan.pk, actor=request.user)
    response = HttpResponse(document, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=f"loan-contract-{contract_no(loan)}.pdf"
    )
    response["Cache-Control"] = "private, no-store"
    return response


# Staff --------------------------------------------------------------------------------------


@staff_only
def staff_cases(request):
    rows = [
        {
            "loan": loan,
            "applicant": _person_label(loan.applicant),
            "appointment": loan.signing_booking,
        }
        for loan in cases_to_sign_or_disburse()
    ]
    return render(request, "web/staff/loan_contracts.html", {"rows": rows})


_PAYOUT_STEPS = {
    "PENDING": "pending",
    "SENT": "sent",
    "PAID": "paid",
    "FAILED": "failed",
}


@staff_only
def staff_case(request, pk: int):
    loan = _case_or_404(pk)
    account = disbursement.loan_account_of(loan)
    lent = account is not None and account.status in (LoanAccountStatus.ACTIVE, LoanAccountStatus.SETTLED)
    verdict = verify_approval_seal(loan=loan)
    may_act = disbursement.may_sign(actor=request.user)
    booking = loan.signing_booking
    return render(
        request,
        "web/staff/loan_contract.html",
        {
            "loan": loan,
            "contract_no": contract_no(loan),
            "applicant": _person_label(loan.applicant),
            "co_borrower": _person_label(loan.co_borrower),
            "seller_account": mask_bank_card(loan.seller_account),
            "rate_percent": percent_text(loan.annual_rate),
            "booking": booking,
            "counter_name": _counter_name(booking.counter) if booking is not None else "",
            "seal_ok": verdict is not None and verdict.in_force,
            "account": account,
            "outstanding": disbursement.outstanding_principal(account) if account is not None else None,
            "position": loan_position(account) if lent else None,
            "repayments": repayments_of(account)[:24] if lent else [],
            "payouts": [
                {"payout": payout, "step": _PAYOUT_STEPS.get(payout.status, "pending")}
                for payout in disbursement.disbursement_payouts(loan)
            ],
            "can_sign": may_act and loan.status == LoanStatus.APPROVED,
            "can_retry": may_act
            and account is not None
            and account.status == LoanAccountStatus.NOT_DISBURSED
            and loan.status == LoanStatus.SIGNED,
            "can_disburse": may_act and account is None and loan.status == LoanStatus.SIGNED,
        },
    )


def _act(request, pk: int, action, done: str):
    try:
        action(loan_id=pk, actor=request.user)
    except DomainError as refusal:
        messages.error(request, f"{refusal.message} ({refusal.code})")
    else:
        messages.success(request, done)
    return redirect("web:staff-loan-contract", pk=pk)


@staff_only
@require_POST
def staff_sign(request, pk: int):
    _case_or_404(pk)
    return _act(
        request,
        pk,
        disbursement.sign_contract,
        _("The signing is recorded; the loan is being paid to the seller."),
    )


@staff_only
@require_POST
def staff_disburse(request, pk: int):
    _case_or_404(pk)
    return _act(
        request,
        pk,
        disbursement.disburse_loan,
        _("The loan is being paid to the seller again."),
    )


# The borrowers ------------------------------------------------------------------------------


@login_required
def hall_account(request, pk: int):
    loan = contract_case(pk)
    if loan is None or not is_borrower(loan=loan, user=request.user) or not has_contract(loan):
        raise Http404
    # Where the loan stands, how it is repaid, its statement: the repayment pages own the page.
    return loans_repayment.account_page(request, loan)
