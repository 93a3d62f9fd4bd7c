"""The public loan calculators (公积金贷款计算器): a quota estimate and a repayment schedule, no login.

Both are GET forms, so a result is a link that can be shared or bookmarked. Each page makes one
selector call (loans.selectors) and shows a refusal on the field it names. The schedule's chart
is an SVG drawn here on the server: no script, no style attribute, colours from portal.css.
"""

from __future__ import annotations

import re
from decimal import Decimal
from urllib.parse import urlencode

from django import forms
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.exceptions import DomainError
from core.money import format_yuan
from core.policy import UnknownPolicyParameter
from loans.calculators import (
    EQUAL_INSTALMENT,
    EQUAL_PRINCIPAL,
    LIMITS,
    OVER_5Y,
    QuotaInputs,
    Schedule,
    check_term,
    percent_text,
)
from loans.selectors import applicable_loan_rate, loan_quota_estimate, loan_schedule, longest_term_months
from web.employer_unit import YuanField

_PERCENT_TEXT = re.compile(r"[0-9]{1,2}(\.[0-9]{1,6})?", re.ASCII)
FIRST, SECOND = "first", "second"
DEFAULT_TERM_MONTHS = 360


class MonthsField(forms.IntegerField):
    """A loan term in months, checked against ``loan.max_term_months`` with the form's other fields."""

    def __init__(self, **kwargs):
        super().__init__(
            label=_("Term in months"),
            help_text=_("20 years is 240 months, 30 years 360. Up to 60 months takes the lower rate."),
            widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "maxlength": "3"}),
            **kwargs,
        )

    def validate(self, value):
        super().validate(value)
        try:
            check_term(value, max_term_months=longest_term_months(), field=None)
        except UnknownPolicyParameter:
            return  # the calculator says so, on the whole form
        except DomainError as error:
            raise forms.ValidationError(str(error.message)) from None


class QuotaForm(forms.Form):
    balance = YuanField(label=_("Your fund balance (yuan)"))
    has_co_borrower = forms.BooleanField(
        label=_("With a co-borrower (spouse or other co-owner who deposits)"), required=False
    )
    co_borrower_balance = YuanField(
        label=_("Co-borrower's fund balance (yuan)"), required=False, help_text=_("Leave empty without one.")
    )
    monthly_income = YuanField(
        label=_("Monthly income (yuan)"), help_text=_("Your income, with the co-borrower's if there is one.")
    )
    other_monthly_debt = YuanField(
        label=_("Other monthly repayments (yuan)"),
        required=False,
        help_text=_("Car loans, other mortgages, consumer credit; leave empty if none."),
    )
    house_price = YuanField(label=_("Price of the home (yuan)"))
    home = forms.ChoiceField(
        label=_("Which home"),
        choices=[(FIRST, _("First home")), (SECOND, _("Second home"))],
        widget=forms.RadioSelect,
    )
    term_months = MonthsField()

    def inputs(self) -> QuotaInputs:
        data = self.cleaned_data
        return QuotaInputs(
            balance=data["balance"],
            co_borrower_balance=data["co_borrower_balance"] or 0,
            monthly_income=data["monthly_income"],
            other_monthly_debt=data["other_monthly_debt"] or 0,
            house_price=data["house_price"],
            first_home=data["home"] == FIRST,
            term_months=data["term_months"],
            has_co_borrower=data["has_co_borrower"],
        )


class PercentField(forms.CharField):
    """An annual rate typed in percent ("2.6", "3.075"), cleaned to a Decimal fraction (0.026)."""

    widget = forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off", "maxlength": "10"})

    def to_python(self, value):
        text = super().to_python(value).strip().rstrip("%").strip()
        if text in self.empty_values:
            return None
        if not _PERCENT_TEXT.fullmatch(text):
            raise forms.ValidationError(_("Enter the annual rate in percent, for example 2.6."))
        return Decimal(text) / 100


class ScheduleForm(forms.Form):
    principal = YuanField(label=_("Loan amount (yuan)"))
    rate = PercentField(
        label=_("Annual rate (%)"),
        help_text=_("In percent a year, e.g. 2.6. The quota calculator shows the rate that applies to you."),
    )
    months = MonthsField()
    method = forms.ChoiceField(
        label=_("Repayment method"),
        choices=[
            (EQUAL_INSTALMENT, _("Equal instalments (等额本息): the same payment every month")),
            (EQUAL_PRINCIPAL, _("Equal principal (等额本金): more at first, less each month")),
        ],
        widget=forms.RadioSelect,
    )


def _bound(form_class, query):
    """The form bound to the query when it carries any of its fields; unbound (a blank page) if not."""
    if any(name in query for name in form_class.base_fields):
        return form_class(query)
    return None


def _refuse(form: forms.Form, error: DomainError, *, fields: dict[str, str] | None = None) -> None:
    name = (fields or {}).get(error.field, error.field)
    form.add_error(name if name in form.fields else None, str(error.message))


def _schedule_link(*, principal: int, rate: Decimal, months: int, method: str = EQUAL_INSTALMENT) -> str:
    query = {
        "principal": format_yuan(principal),
        "rate": percent_text(rate),
        "months": months,
        "method": method,
    }
    return f"{reverse('web:loan-schedule')}?{urlencode(query)}"


_LIMIT_NAMES = {
    "balance_multiple": _("Balance multiple"),
    "repayment_ability": _("Repayment ability"),
    "price_ratio": _("Share of the price"),
    "city_cap": _("City cap"),
}


def _limit_rows(estimate) -> list[dict]:
    return [
        {
            "name": name,
            "label": _LIMIT_NAMES[name],
            "amount": estimate.limits[name],
            "binding": name == estimate.binding,
        }
        for name in LIMITS
    ]


def _used(estimate) -> dict:
    """The parameter values the limits used, as the page writes them (15, 50 %, 80 %)."""
    used = estimate.parameters
    price_ratio = used.get("loan.price_ratio.first", used.get("loan.price_ratio.second"))
    return {
        "multiple": used["loan.balance_multiple"],
        "income_ratio": percent_text(used["loan.income_ratio"]),
        "price_ratio": percent_text(price_ratio),
        "rounding_unit": used["loan.quota_rounding_unit"],
    }


def quota(request):
    form = _bound(QuotaForm, request.GET)
    estimate = inputs = None
    if form is not None and form.is_valid():
        inputs = form.inputs()
        try:
            estimate = loan_quota_estimate(inputs)
        except DomainError as error:
            _refuse(form, error)
    context = {"form": form or QuotaForm(initial={"home": FIRST, "term_months": DEFAULT_TERM_MONTHS})}
    if estimate is not None:
        context.update(
            estimate=estimate,
            inputs=inputs,
            limits=_limit_rows(estimate),
            used=_used(estimate),
            rate_home=_("first home") if estimate.rate.first_home else _("second home"),
            rate_term=_("term over 5 years") if estimate.rate.band == OVER_5Y else _("term up to 5 years"),
            schedule_link=_schedule_link(
                principal=estimate.quota, rate=estimate.rate.annual, months=inputs.term_months
            )
            if estimate.quota > 0
            else None,
        )
    status = 400 if form is not None and form.errors else 200
    return render(request, "web/public/loan_quota.html", context, status=status)


# --- the schedule's chart ---------------------------------------------------------------------

CHART_WIDTH, CHART_HEIGHT = 640, 260
_LEFT, _RIGHT, _TOP, _BOTTOM = 8, 632, 28, 228  # the plot area inside the view box


def _x(period: int, months: int) -> float:
    return _LEFT + (_RIGHT - _LEFT) * period / months


def _y(fen: int, top: int) -> float:
    return _BOTTOM - (_BOTTOM - _TOP) * fen / top if top else _BOTTOM


def _steps(values: list[int], months: int, top: int) -> list[tuple[float, float]]:
    """The points of a step line: each month's value held flat across that month's width."""
    points = []
    for index, value in enumerate(values):
        y = _y(value, top)
        points += [(_x(index, months), y), (_x(index + 1, months), y)]
    return points


def _path(points: list[tuple[float, float]]) -> str:
    return "M" + " L".join(f"{x:.1f},{y:.1f}" for x, y in points) + " Z"


def schedule_chart(schedule: Schedule) -> dict:
    """Two stacked areas, principal below and interest above, each month's payment as their top."""
    rows = schedule.instalments
    months = schedule.months
    top = max(row.payment for row in rows)
    principal_top = _steps([row.principal for row in rows], months, top)
    payment_top = _steps([row.payment for row in rows], months, top)
    baseline = [(_RIGHT, _BOTTOM), (_LEFT, _BOTTOM)]
    step = 12 if months <= 120 else 60  # a tick a year, or every five years on a long loan
    ticks = [{"x": f"{_x(m, months):.1f}", "label": m} for m in range(step, months + 1, step)]
    return {
        "width": CHART_WIDTH,
        "height": CHART_HEIGHT,
        "principal": _path(principal_top + baseline),
        "interest": _path(payment_top + list(reversed(principal_top))),
        "top": top,
        "top_y": f"{_TOP:.1f}",
        "bottom_y": _BOTTOM,
        "left": _LEFT,
        "right": _RIGHT,
        "label_y": _BOTTOM + 22,
        "ticks": ticks,
    }


def schedule(request):
    form = _bound(ScheduleForm, request.GET)
    found = None
    if form is not None and form.is_valid():
        data = form.cleaned_data
        try:
            found = loan_schedule(
                principal=data["principal"],
                annual_rate=data["rate"],
                months=data["months"],
                method=data["method"],
            )
        except DomainError as error:
            _refuse(form, error, fields={"annual_rate": "rate"})
    if form is None:
        form = ScheduleForm(initial=_schedule_initial())
    context = {"form": form, "schedule": found}
    if found is not None:
        rows = found.instalments
        context.update(
            rate_percent=percent_text(found.annual_rate),
            first=rows[0],
            last=rows[-1],
            equal_instalment=found.method == EQUAL_INSTALMENT,
            chart=schedule_chart(found),
        )
    status = 400 if form.errors else 200
    return render(request, "web/public/loan_schedule.html", context, status=status)


def _schedule_initial() -> dict:
    initial = {"months": DEFAULT_TERM_MONTHS, "method": EQUAL_INSTALMENT}
    try:
        rate = applicable_loan_rate(first_home=True, term_months=DEFAULT_TERM_MONTHS)
    except UnknownPolicyParameter:
        return initial
    return {**initial, "rate": rate.percent}
