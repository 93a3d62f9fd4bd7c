"""Staff pages on personal data: reveal one person's full ID or card number with a reason, and
read the record of every such look.

Revealing is for holders of ``accounts.view_unmasked_personal_data`` (section chiefs and
above); the record is read by the auditors and the directors. Both pages are never cached:
a full number is shown once, on the response to the form, and nowhere else.
"""

import rules
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from accounts import disclosure
from accounts.models import Person, PersonalDataAccess, PersonalField
from accounts.roles import ADMIN, STAFF_AUDITOR, STAFF_DEPUTY_DIRECTOR, STAFF_DIRECTOR, roles_of
from accounts.selectors import account_by_no, person_by_id_number
from core.exceptions import DomainError
from web.access import audience, staff_only

PER_PAGE = 50
ACCESS_READERS = frozenset({STAFF_AUDITOR, STAFF_DEPUTY_DIRECTOR, STAFF_DIRECTOR, ADMIN})
FIELD_LABELS = dict(PersonalField.choices)


@rules.predicate
def reveals_personal_data(user) -> bool:
    return disclosure.may_unmask(user)


@rules.predicate
def reads_personal_data_accesses(user) -> bool:
    return bool(roles_of(user) & ACCESS_READERS)


# For templates ({% test_rule "web.reveal_personal_data" user %}): the staff console links here.
rules.set_rule("web.reveal_personal_data", reveals_personal_data)
rules.set_rule("web.read_personal_data_accesses", reads_personal_data_accesses)


def _find(text: str) -> Person | None:
    """A person by fund account number (12 digits) or by ID number, through its blind index."""
    text = "".join((text or "").split())
    if not text:
        return None
    if len(text) == 12 and text.isdigit():
        account = account_by_no(text)
        return account.person if account else None
    return person_by_id_number(text)


def _fields(person: Person) -> list[dict]:
    shown = {
        PersonalField.ID_NUMBER: person.masked_id_number,
        PersonalField.BANK_CARD: person.masked_bank_card,
    }
    return [
        {"field": field, "label": FIELD_LABELS[field], "masked": masked}
        for field, masked in shown.items()
        if masked
    ]


@never_cache
@staff_only
def reveal(request):
    if not disclosure.may_unmask(request.user):
        raise PermissionDenied
    person, revealed, error, reason, searched = None, None, None, "", False
    if request.method == "POST" and request.POST.get("action") == "find":
        # Posted, not a query string: a typed ID number stays out of URLs, access logs and
        # history, and the page does not echo it.
        searched = True
        person = _find(request.POST.get("q", ""))
    elif request.method == "POST":
        chosen = request.POST.get("person", "")
        person = Person.objects.filter(pk=chosen).first() if chosen.isdigit() else None
        field = request.POST.get("field", "")
        reason = request.POST.get("reason", "")
        if person is None or field not in PersonalField.values:
            error = DomainError(_("Choose a person and a number to reveal."), code="UNMASK_BAD_REQUEST")
        else:
            try:
                value = disclosure.reveal_personal_data(
                    actor=request.user, person=person, field=field, reason=reason
                )
            except DomainError as exc:
                error = exc
            else:
                revealed = {"label": FIELD_LABELS[field], "value": value}
                reason = ""
    context = {
        "searched": searched,
        "person": person,
        "fields": _fields(person) if person else [],
        "revealed": revealed,
        "error": error,
        "reason": reason,
        "min_length": disclosure.reason_min_length(),
    }
    return render(request, "web/staff/privacy/reveal.html", context, status=400 if error else 200)


@never_cache
@audience(roles=ACCESS_READERS)
def accesses(request):
    records = PersonalDataAccess.objects.select_related("actor", "person").order_by("-accessed_at", "-pk")
    page = Paginator(records, PER_PAGE).get_page(request.GET.get("page"))
    rows = [
        {
            "record": record,
            "field": FIELD_LABELS.get(record.field, record.field),
            "person_name": record.person.name,
            "person_id": record.person.masked_id_number,
        }
        for record in page
    ]
    return render(request, "web/staff/privacy/accesses.html", {"page": page, "rows": rows})
