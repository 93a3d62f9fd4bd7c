"""The loan-settled certificate PDF (``hall/loans/<id>/account/settled-certificate.pdf``).

For the borrower and the co-borrower only, once the loan is settled; anyone else, or a loan not
settled, finds nothing; a certificate whose seal no longer stands is refused on the loan's page.
Every download is audited: the certificate names the borrower.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse

from loans.certificate import (
    CertificateNotInForce,
    LoanNotSettled,
    record_certificate_download,
    settled_account_of,
    settled_certificate_pdf,
)
from loans.contract_terms import contract_case, is_borrower
from loans.models import LoanAccountStatus
from web.certificates import pdf_attachment


@login_required
def settled_certificate(request, pk: int):
    loan = contract_case(pk)
    # Not a borrower: the same answer as no such loan, so ids reveal nothing.
    if loan is None or not is_borrower(loan=loan, user=request.user):
        raise Http404
    account = settled_account_of(loan)
    if account is None or account.status != LoanAccountStatus.SETTLED:
        raise Http404
    verify_url = request.build_absolute_uri(reverse("web:certificate", args=[account.settlement_seal.code]))
    try:
        document = settled_certificate_pdf(account, verify_url=verify_url)
    except LoanNotSettled as refusal:
        raise Http404 from refusal
    except CertificateNotInForce as refusal:
        messages.error(request, f"{refusal.message} ({refusal.code})")
        return redirect("web:hall-loan-account", pk=pk)
    record_certificate_download(account_id=account.pk, actor=request.user)
    return pdf_attachment(document, filename=f"loan-settled-certificate-{account.account_no}.pdf")
