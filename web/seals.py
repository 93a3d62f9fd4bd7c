"""Public page: anyone holding a sealed document checks its seal by the verification code.

For a loan-settled certificate it also shows what the seal certifies (masked) and whether the
centre's loan record still says so.
"""

from django.shortcuts import redirect, render

from audit.seals import SealNotFound, normalise_code, seal_kind_label, seal_public_key, verify_seal
from loans.certificate import settled_check


def find(request):
    code = normalise_code(request.GET.get("code", ""))
    if code:
        return redirect("web:seal", code=code)
    return render(request, "web/public/seal.html", {"searched": False})


def seal(request, code: str):
    try:
        verdict = verify_seal(code=code)
    except SealNotFound:
        return render(
            request, "web/public/seal.html", {"searched": True, "code": code, "verdict": None}, status=404
        )
    return render(
        request,
        "web/public/seal.html",
        {
            "searched": True,
            "code": verdict.seal.code,
            "verdict": verdict,
            "kind_label": seal_kind_label(verdict.seal.kind),
            "public_key": seal_public_key(),
            "settled": settled_check(verdict.seal) if verdict.genuine else None,
        },
    )
