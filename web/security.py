"""The hall's account security page: the employee locks withdrawals at once, or asks to unlock,
and chooses the language of their messages and texts."""

from django.conf import settings
from django.contrib import messages as flash
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.disclosure import accesses_to
from accounts.models import Language
from accounts.selectors import withdrawal_lock_state
from accounts.services import lock_withdrawals, request_unlock, set_language
from core.exceptions import DomainError
from signin.selectors import trusted_devices_of
from web.access import employee_only


@employee_only
def security(request):
    person = request.user.person
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "lock":
                lock_withdrawals(person=person, actor=request.user)
                flash.success(request, _("Withdrawals from your account are locked."))
            elif action == "unlock":
                lock = request_unlock(person=person, actor=request.user)
                flash.success(
                    request,
                    _("Your unlock request is recorded. Withdrawals stay locked until %(when)s.")
                    % {"when": _local(lock.unlocks_at)},
                )
            elif action == "language":
                set_language(person=person, language=request.POST.get("language", ""), actor=request.user)
                flash.success(request, _("Your messages will be written in the language you chose."))
            else:
                flash.error(request, _("Choose to lock or to unlock."))
        except DomainError as error:
            flash.error(request, error.message)
        return redirect("web:hall-security")
    return render(
        request,
        "web/hall/security.html",
        {
            "lock": withdrawal_lock_state(person),
            "cooling_off_hours": settings.WITHDRAWAL_UNLOCK_COOLING_OFF_HOURS,
            "languages": Language.choices,
            "message_language": person.language,
            "devices": trusted_devices_of(request.user),
            "data_accesses": accesses_to(person),
        },
    )


def _local(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")
