"""The employees' web hall (网上服务大厅): account summary and statement."""

from datetime import date

from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.overview import statement_of
from accounts.selectors import account_summary
from web.access import employee_only


def _parse_date(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


@employee_only
def home(request):
    person = request.user.person
    summary = account_summary(person)
    recent = list(statement_of(person, date_from=None, date_to=None, latest=12)) if summary else []
    return render(request, "web/hall/home.html", {"person": person, "summary": summary, "recent": recent})


@employee_only
def statement(request):
    person = request.user.person
    summary = account_summary(person)
    if summary is None:
        raise Http404(_("You have no fund account yet."))
    today = timezone.localdate()
    date_from = _parse_date(request.GET.get("from")) or today.replace(year=today.year - 1)
    date_to = _parse_date(request.GET.get("to")) or today
    invalid = date_from > date_to
    movements = [] if invalid else list(statement_of(person, date_from=date_from, date_to=date_to))
    return render(
        request,
        "web/hall/statement.html",
        {
            "summary": summary,
            "movements": movements,
            "date_from": date_from,
            "date_to": date_to,
            "invalid_range": invalid,
        },
    )
