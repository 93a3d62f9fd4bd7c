"""The hall's intra-city transfer page: the account's move history and the self-service move."""

from django.contrib import messages as flash
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from accounts.models import AccountStatus
from accounts.selectors import account_summary
from core.exceptions import DomainError
from transfers.intra_city import account_moves_query, request_intra_city_move
from web.access import employee_only


@employee_only
def intra_city(request):
    person = request.user.person
    if request.method == "POST":
        try:
            move = request_intra_city_move(person=person, actor=request.user)
        except DomainError as error:
            flash.error(request, error.message)
        else:
            flash.success(
                request,
                _("Your account has moved to %(unit)s and is open there again.")
                % {"unit": move.to_employer.name},
            )
        return redirect("web:hall-transfer-intra")
    summary = account_summary(person)
    return render(
        request,
        "web/hall/transfer_intra.html",
        {
            "summary": summary,
            "sealed": summary is not None and summary.status == AccountStatus.SEALED,
            "moves": list(account_moves_query(person)),
        },
    )
