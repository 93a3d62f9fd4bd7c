"""The hall's payout card page: the employee registers the card withdrawals are paid to, and the
bank confirms at once that it is in their own name."""

from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme

from accounts.cards import register_payout_card
from accounts.selectors import payout_card
from core.exceptions import DomainError
from web.access import employee_only


def _next(request) -> str | None:
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return None


@employee_only
def card(request):
    person = request.user.person
    context = {"card": payout_card(person), "error": None, "next": _next(request), "saved": False}
    if request.method == "POST":
        try:
            person = register_payout_card(
                person=person, card_number=request.POST.get("card_number", ""), actor=request.user
            )
        except DomainError as error:
            context["error"] = error.message
            context["entered"] = request.POST.get("card_number", "")
            return render(request, "web/hall/card.html", context, status=getattr(error, "http_status", 400))
        if context["next"]:
            return redirect(context["next"])
        context.update(card=payout_card(person), saved=True)
    return render(request, "web/hall/card.html", context)
