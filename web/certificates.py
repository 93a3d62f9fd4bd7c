"""Certificates: the hall page where a person issues and downloads their deposit certificates and
finds their loan-settled ones; the public check their QR codes open; staff revoking one.

The public page (``/certificates/<code>/``) needs no login and shows only masked data: whoever holds
the paper holds the code. A download is the person's own certificate or nothing, and is audited.
"""

from django import forms
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import FundAccount
from accounts.roles import ADMIN, STAFF_DEPUTY_DIRECTOR, STAFF_DIRECTOR, STAFF_SECTION_CHIEF, roles_of
from audit.seals import SealAlreadyRevoked, SealNotFound, normalise_code, revoke_seal
from core.exceptions import DomainError
from deposits.certificate import (
    CertificateNotInForce,
    deposit_certificate_of,
    deposit_certificate_pdf,
    deposit_certificates_of,
    issue_deposit_certificate,
    record_deposit_certificate_download,
)
from deposits.models import CertificatePurpose
from loans.certificate import settled_accounts_of
from loans.certificate_check import REVOKED, check_certificate
from web.access import audience, employee_only

#: Revoking a certificate withdraws a document a bank may be relying on: section chiefs and above.
REVOKING_ROLES = frozenset({STAFF_SECTION_CHIEF, STAFF_DEPUTY_DIRECTOR, STAFF_DIRECTOR, ADMIN})


class IssueForm(forms.Form):
    purpose = forms.ChoiceField(
        label=gettext_lazy("What is the certificate for?"),
        choices=CertificatePurpose.choices,
        widget=forms.RadioSelect,
    )


class RevokeForm(forms.Form):
    code = forms.CharField(label=gettext_lazy("Certificate code"), max_length=20)
    reason = forms.CharField(
        label=gettext_lazy("Why is it revoked?"), max_length=500, widget=forms.Textarea(attrs={"rows": 3})
    )


# The hall -----------------------------------------------------------------------------------------


@employee_only
def hall(request):
    person = request.user.person
    form = IssueForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            certificate = issue_deposit_certificate(
                person=person, purpose=form.cleaned_data["purpose"], actor=request.user
            )
        except DomainError as refusal:
            form.add_error(None, refusal.message)
        else:
            messages.success(
                request,
                _("Deposit certificate %(code)s issued: download it below.")
                % {"code": certificate.seal.code},
            )
            return redirect("web:hall-certificates")
    return render(
        request,
        "web/certificates/hall.html",
        {
            "form": form,
            "has_account": FundAccount.objects.filter(person=person).exists(),
            "deposit_certificates": deposit_certificates_of(person),
            "settled_accounts": settled_accounts_of(person),
        },
        status=400 if form.errors else 200,
    )


@employee_only
def deposit_certificate(request, pk: int):
    # Another person's id: the same answer as no such certificate, so ids reveal nothing.
    certificate = deposit_certificate_of(request.user.person, pk)
    if certificate is None:
        raise Http404
    code = certificate.seal.code
    verify_url = request.build_absolute_uri(reverse("web:certificate", args=[code]))
    try:
        document = deposit_certificate_pdf(certificate, verify_url=verify_url)
    except CertificateNotInForce as refusal:
        messages.error(request, f"{refusal.message} ({refusal.code})")
        return redirect("web:hall-certificates")
    record_deposit_certificate_download(certificate_id=certificate.pk, actor=request.user)
    return pdf_attachment(document, filename=f"deposit-certificate-{code}.pdf")


def pdf_attachment(document: bytes, *, filename: str) -> HttpResponse:
    """A certificate as a download; never cached: it names a person."""
    response = HttpResponse(document, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
    response["Cache-Control"] = "private, no-store"
    return response


# The public check ---------------------------------------------------------------------------------


def find(request):
    code = normalise_code(request.GET.get("code", ""))
    if code:
        return redirect("web:certificate", code=code)
    return render(request, "web/certificates/check.html", {"searched": False})


def check(request, code: str):
    try:
        result = check_certificate(code)
    except SealNotFound:
        return render(
            request,
            "web/certificates/check.html",
            {"searched": True, "code": code, "check": None},
            status=404,
        )
    return render(
        request,
        "web/certificates/check.html",
        {
            "searched": True,
            "code": result.code,
            "check": result,
            "may_revoke": result.status != REVOKED and bool(roles_of(request.user) & REVOKING_ROLES),
        },
    )


# Staff ----------------------------------------------------------------------------------------------


@audience(roles=REVOKING_ROLES)
def revoke(request):
    form = RevokeForm(
        request.POST if request.method == "POST" else None, initial={"code": request.GET.get("code", "")}
    )
    if request.method == "POST" and form.is_valid():
        code = normalise_code(form.cleaned_data["code"])
        try:
            # Only certificates here: a loan approval's seal is withdrawn with its case, not from this form.
            check_certificate(code)
            revoke_seal(code=code, reason=form.cleaned_data["reason"], actor=request.user)
        except SealNotFound:
            form.add_error("code", _("No certificate has the verification code %(code)s.") % {"code": code})
        except SealAlreadyRevoked as refusal:
            form.add_error("code", refusal.message)
        else:
            messages.success(request, _("Certificate %(code)s is revoked.") % {"code": code})
            return redirect("web:certificate", code=code)
    return render(request, "web/certificates/revoke.html", {"form": form}, status=400 if form.errors else 200)
