"""The hall's statement: movements for a date range with totals, the balance chart, the yearly summary,
and the statement as csv, xlsx or PDF (each download audited).

The chart is drawn here as inline SVG (no script, nothing from elsewhere): one point per month-end
balance, over the months of the range asked for, or the last 24 months when none was asked for.
"""

from datetime import date

from django import forms
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header, urlencode
from django.utils.translation import gettext_lazy

from accounts.statement_documents import FORMATS, download_statement
from accounts.statements import (
    InvalidStatementRange,
    NoFundAccount,
    fund_account_of,
    fund_statement,
    month_end_balances,
    months_back,
    statement_range,
    yearly_summary,
)
from web.access import employee_only

#: The chart's months when the member did not choose a range.
CHART_MONTHS = 24
# The drawing's own units; the SVG scales to the width of the screen.
WIDTH, HEIGHT = 640, 280
LEFT, RIGHT, TOP, BOTTOM = 16, 624, 36, 244


class RangeForm(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # "from" is a Python keyword, so the fields cannot be declared as attributes.
        for name, label in (("from", gettext_lazy("From")), ("to", gettext_lazy("To"))):
            self.fields[name] = forms.DateField(
                label=label, required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
            )

    def statement_range(self, *, today: date) -> tuple[date, date] | None:
        """The range asked for, or None with the form's errors saying why it makes no statement."""
        if not self.is_valid():
            return None
        try:
            return statement_range(
                date_from=self.cleaned_data["from"], date_to=self.cleaned_data["to"], today=today
            )
        except InvalidStatementRange as refusal:
            self.add_error(refusal.field, refusal.message)
            return None


def _account(request):
    try:
        return fund_account_of(request.user.person)
    except NoFundAccount as refusal:
        raise Http404(refusal.message) from None


def _chosen(request) -> bool:
    return bool(request.GET.get("from") or request.GET.get("to"))


@employee_only
def statement(request):
    account = _account(request)
    today = timezone.localdate()
    form = RangeForm(request.GET)
    chosen = form.statement_range(today=today)
    context = {"account": account, "form": form, "statement": None, "movements": [], "chart": None}
    if chosen is not None:
        date_from, date_to = chosen
        statement = fund_statement(account, date_from=date_from, date_to=date_to)
        first_month, last_month = (
            (date_from, date_to) if _chosen(request) else months_back(count=CHART_MONTHS, today=today)
        )
        months = month_end_balances(account, first_month=first_month, last_month=last_month, today=today)
        context |= {
            "statement": statement,
            "movements": statement.lines,
            "chart": balance_chart(months),
            "query": urlencode({"from": date_from.isoformat(), "to": date_to.isoformat()}),
            "formats": FORMATS,
        }
    # The page's earlier name for a refused range, kept for whoever links or tests by it.
    context["invalid_range"] = bool(form.errors)
    return render(request, "web/hall/statement.html", context)


@employee_only
def download(request, fmt: str):
    account = _account(request)
    form = RangeForm(request.GET)
    chosen = form.statement_range(today=timezone.localdate())
    if chosen is None:
        # The page shows what is wrong with the range.
        return redirect(f"{reverse('web:hall-statement')}?{request.GET.urlencode()}")
    statement = fund_statement(account, date_from=chosen[0], date_to=chosen[1])
    return attachment(download_statement(account=account, statement=statement, fmt=fmt, actor=request.user))


def attachment(file) -> HttpResponse:
    """A statement file as a download; never cached: it names the person and every movement."""
    response = HttpResponse(file.content, content_type=file.content_type)
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=file.filename)
    response["Cache-Control"] = "private, no-store"
    return response


@employee_only
def yearly(request):
    account = _account(request)
    years = yearly_summary(account, today=timezone.localdate())
    return render(
        request, "web/hall/statement_yearly.html", {"account": account, "years": list(reversed(years))}
    )


# Months between two labelled ticks at the least: a label is about four months wide on a phone.
MIN_TICK_GAP = 4


def balance_chart(months) -> dict:
    """The geometry of the balance line: a point per month, the top of the scale, a few month labels."""
    top = max([month.balance for month in months] + [1])
    step = (RIGHT - LEFT) / max(len(months) - 1, 1)
    points = []
    for index, month in enumerate(months):
        x = LEFT + index * step if len(months) > 1 else (LEFT + RIGHT) / 2
        y = BOTTOM - (BOTTOM - TOP) * month.balance / top
        points.append(
            {
                "x": f"{x:.1f}",
                "y": f"{y:.1f}",
                "month": f"{month.month:%Y-%m}",
                "balance": month.balance,
                "as_of": month.as_of,
            }
        )
    # The first and last month, and each January between when the range spans years.
    labelled = {0, len(months) - 1}
    if len(months) > 12:
        # A January within a few months of the ends would print over the end's label.
        labelled |= {
            index
            for index, month in enumerate(months)
            if month.month.month == 1 and MIN_TICK_GAP <= index <= len(months) - 1 - MIN_TICK_GAP
        }
    ticks = [
        {"x": points[index]["x"], "label": points[index]["month"], "anchor": _anchor(index, len(months))}
        for index in sorted(labelled)
    ]
    highest = max(months, key=lambda month: month.balance)
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "left": LEFT,
        "right": RIGHT,
        "top_y": TOP,
        "bottom_y": BOTTOM,
        "label_y": HEIGHT - 8,
        "top": top,
        "line": " ".join(f"{point['x']},{point['y']}" for point in points),
        "points": points,
        "ticks": ticks,
        "first": points[0],
        "last": points[-1],
        "highest": {"month": f"{highest.month:%Y-%m}", "balance": highest.balance},
        "radius": 4 if len(months) <= 36 else 2,
    }


def _anchor(index: int, count: int) -> str:
    if index == 0:
        return "start"
    return "end" if index == count - 1 else "middle"
