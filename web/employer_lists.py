"""The employer's monthly lists (汇缴清册, 补缴清册): history, template, upload, check, maker-checker.

The unit's preparer downloads the pre-filled template, uploads the list, fixes the problems the
check reports and submits; the unit's approver approves (the bank then collects) or returns it.
Each view makes one service call (the upload checks a small file at once and queues a large
one, see ``deposits.services.checks_at_once``) and shows a refusal (``DomainError``) on the page,
answering with the refusal's ``http_status``. Every lookup goes through the unit
(``list_of_employer``): another unit's list is a 404. Buttons show by role only for convenience;
the services decide who may act.
"""

from __future__ import annotations

from datetime import date

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from accounts.roles import EMPLOYER_APPROVER, EMPLOYER_PREPARER, roles_of
from core.crypto import mask_id_number
from core.exceptions import DomainError
from deposits import services
from deposits.models import DepositList, ListKind, ListStatus
from deposits.selectors import (
    error_report,
    field_label,
    list_errors,
    list_lines,
    list_of_employer,
    lists_of_employer,
    progress_of,
)
from deposits.validation import expected_period
from integrations.bank import ports
from web.access import employer_only

LISTS_PAGE_SIZE = 20
# Fifty rows read comfortably on a phone and keep a 30,000-row list at 600 pages, not 3,000.
ROWS_PAGE_SIZE = 50
FORMATS = ("csv", "xlsx")
_CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}

# What the clerk should do about each way a debit can fail (integrations.bank.ports.FAILURE_CODES).
FAILURE_TEXTS = {
    ports.INSUFFICIENT_FUNDS: gettext_lazy(
        "The unit's bank account did not hold enough money for this list. Put the money in the "
        "account, then the approver can collect again."
    ),
    ports.ACCOUNT_FROZEN: gettext_lazy(
        "The unit's bank account is frozen. Ask your bank to lift the freeze, then the approver "
        "can collect again."
    ),
    ports.ACCOUNT_CLOSED: gettext_lazy(
        "The unit's bank account is closed. Give the centre the unit's new bank account (call "
        "12329), then the approver can collect again."
    ),
}

# The poller (static/js/list_progress.js) fills the same sentence in as the rows are checked.
PROGRESS_TEXT = gettext_lazy("{checked} of {total} rows checked ({percent}%)")
READING_TEXT = gettext_lazy("Reading the file…")

FORMAT_LABELS = {
    "xlsx": "xlsx",
    "utf-8-sig": "csv (UTF-8)",
    "utf-8": "csv (UTF-8)",
    "gb18030": "csv (GBK)",
}


def failure_text(code: str) -> str:
    """A failed collection's reason as a sentence telling the clerk what to do."""
    if not code:
        return ""
    text = FAILURE_TEXTS.get(code)
    if text is not None:
        return str(text)
    return _(
        "The bank refused the debit (code %(code)s). Ask your bank why, or call the centre on 12329."
    ) % {"code": code}


def _error_status(error: DomainError) -> int:
    return getattr(error, "http_status", 400)


def _who(user) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.username


def _month_text(value: date | None) -> str:
    return f"{value:%Y-%m}" if value else ""


def _parse_month(text: str | None) -> date | None:
    """The month a form sent ("2026-10", as <input type=month> does) as its first day, or None."""
    try:
        year, month = (int(part) for part in (text or "").strip().split("-")[:2])
        return date(year, month, 1)
    except ValueError:
        return None


def _default_period(employer) -> date:
    # A unit that never paid starts with the current month (its first list cannot be later).
    return expected_period(employer) or timezone.localdate().replace(day=1)


def _page(request, items, *, size: int):
    return Paginator(items, size).get_page(request.GET.get("page"))


def _attachment(content: bytes, *, fmt: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=_CONTENT_TYPES[fmt])
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
    # The files carry ID numbers: no shared cache may keep them.
    response["Cache-Control"] = "private, no-store"
    return response


# --- the unit's lists ---------------------------------------------------------------------------


def _history_row(deposit_list: DepositList) -> dict:
    checked = deposit_list.status not in (ListStatus.RECEIVED, ListStatus.CHECKING, ListStatus.INVALID)
    decided_label = ""
    if deposit_list.decided_by_id:
        decided_label = _("Returned by") if deposit_list.status == ListStatus.RETURNED else _("Approved by")
    return {
        "list": deposit_list,
        "amount": deposit_list.amount if checked else None,
        "uploaded_by": _who(deposit_list.uploaded_by),
        "submitted_by": _who(deposit_list.submitted_by),
        "decided_by": _who(deposit_list.decided_by),
        "decided_label": decided_label,
        "failure": failure_text(deposit_list.failure_code)
        if deposit_list.status == ListStatus.COLLECTION_FAILED
        else "",
    }


def _unit_list(request, pk: int) -> DepositList:
    deposit_list = list_of_employer(request.user.employer, pk) if request.user.employer_id else None
    if deposit_list is None:
        raise Http404(_("No such list."))
    return deposit_list


@employer_only
def lists(request):
    employer = request.user.employer
    if employer is None:
        return redirect("web:employer-home")
    page = _page(
        request,
        lists_of_employer(employer).select_related("uploaded_by", "submitted_by", "decided_by"),
        size=LISTS_PAGE_SIZE,
    )
    return render(
        request,
        "web/employer/lists/index.html",
        {
            "employer": employer,
            "page": page,
            "rows": [_history_row(deposit_list) for deposit_list in page.object_list],
            "next_period": expected_period(employer),
            "template_period": _default_period(employer),
            "may_prepare": EMPLOYER_PREPARER in roles_of(request.user),
        },
    )


@require_GET
@employer_only
def template(request):
    """The list pre-filled with the unit's staff, for the next month unless another is asked for."""
    employer = request.user.employer
    if employer is None:
        return redirect("web:employer-home")
    fmt = request.GET.get("format") or "xlsx"
    if fmt not in FORMATS:
        raise Http404
    period = _parse_month(request.GET.get("period")) or _default_period(employer)
    try:
        content = services.download_template(employer=employer, period=period, fmt=fmt, actor=request.user)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("web:employer-lists")
    filename = f"{_('Monthly list')}-{employer.unit_account_no}-{period:%Y-%m}.{fmt}"
    return _attachment(content, fmt=fmt, filename=filename)


# --- upload -----------------------------------------------------------------------------------


class UploadForm(forms.Form):
    kind = forms.ChoiceField(
        label=gettext_lazy("Kind of list"),
        choices=ListKind.choices,
        initial=ListKind.MONTHLY,
        widget=forms.RadioSelect,
    )
    period = forms.CharField(label=gettext_lazy("Month paid for"), max_length=10)
    file = forms.FileField(label=gettext_lazy("List file (csv or xlsx)"))

    def clean_period(self) -> date:
        period = _parse_month(self.cleaned_data["period"])
        if period is None:
            raise forms.ValidationError(_("Enter the month as YYYY-MM, for example 2026-10."))
        return period


def _render_upload(request, form: UploadForm, *, status: int = 200):
    employer = request.user.employer
    return render(
        request,
        "web/employer/lists/upload.html",
        {
            "employer": employer,
            "form": form,
            "next_period": expected_period(employer),
            "template_period": _default_period(employer),
            "may_prepare": EMPLOYER_PREPARER in roles_of(request.user),
            "max_mb": f"{settings.DEPOSIT_LIST_MAX_BYTES / (1024 * 1024):g}",
        },
        status=status,
    )


@employer_only
def upload(request):
    employer = request.user.employer
    if employer is None:
        return redirect("web:employer-home")
    if request.method != "POST":
        form = UploadForm(
            initial={"kind": ListKind.MONTHLY, "period": _month_text(_default_period(employer))}
        )
        return _render_upload(request, form)
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _render_upload(request, form, status=400)
    uploaded = form.cleaned_data["file"]
    # One byte past the limit is enough for the service to refuse the file (and record that it
    # did); reading a 500 MB upload whole into memory would only to be thrown away.
    content = uploaded.read(settings.DEPOSIT_LIST_MAX_BYTES + 1)
    try:
        # A small list comes back checked (READY or INVALID), a large one RECEIVED with its check
        # queued: deposits.services.checks_at_once decides, so the API and this page agree.
        deposit_list = services.upload_list(
            employer=employer,
            kind=form.cleaned_data["kind"],
            period=form.cleaned_data["period"],
            filename=uploaded.name,
            content=content,
            actor=request.user,
            language=request.LANGUAGE_CODE,
        )
    except DomainError as error:
        form.add_error(error.field if error.field in form.fields else None, str(error.message))
        return _render_upload(request, form, status=_error_status(error))
    return redirect("web:employer-list", pk=deposit_list.pk)


# --- one list ---------------------------------------------------------------------------------


def _line_rows(lines) -> list[dict]:
    return [
        {
            "row": line.row_no,
            "name": line.account.person.name,
            "id_number": mask_id_number(line.account.person.id_number),
            "base": line.base,
            "employer_part": line.employer_part,
            "employee_part": line.employee_part,
            "amount": line.employer_part + line.employee_part,
        }
        for line in lines
    ]


def _problem_rows(errors) -> list[dict]:
    return [
        {
            "row": error.row,
            "field": field_label(error.field),
            "code": error.code,
            "message": error.message,
        }
        for error in errors
    ]


def _progress_text(progress) -> str:
    if not progress.rows_total:
        return str(READING_TEXT)
    return str(PROGRESS_TEXT).format(
        checked=f"{progress.rows_checked:,}", total=f"{progress.rows_total:,}", percent=progress.percent
    )


def _render_list(
    request, deposit_list: DepositList, *, error=None, typed_reason: str = "", status: int = 200
):
    roles = roles_of(request.user)
    preparer = EMPLOYER_PREPARER in roles
    approver = EMPLOYER_APPROVER in roles
    state = deposit_list.status
    progress = progress_of(deposit_list)
    own_submission = deposit_list.submitted_by_id == request.user.pk
    context = {
        "list": deposit_list,
        "progress": progress,
        "uploaded_by": _who(deposit_list.uploaded_by),
        "submitted_by": _who(deposit_list.submitted_by),
        "decided_by": _who(deposit_list.decided_by),
        "failure": failure_text(deposit_list.failure_code) if state == ListStatus.COLLECTION_FAILED else "",
        "is_preparer": preparer,
        "is_approver": approver,
        "can_upload": preparer,
        "can_submit": preparer and state == ListStatus.READY,
        "can_discard": preparer and state in (ListStatus.READY, ListStatus.INVALID),
        # The services also refuse the one who submitted: no button they could not use.
        "can_approve": approver and state == ListStatus.SUBMITTED and not own_submission,
        "can_return": approver and state in (ListStatus.SUBMITTED, ListStatus.COLLECTION_FAILED),
        "can_retry": approver and state == ListStatus.COLLECTION_FAILED,
        "error": error,
        "typed_reason": typed_reason,
        "bank_name": deposit_list.employer.bank_name,
        "bank_account": deposit_list.employer.masked_bank_account_no,
        # A list that passed its check has lines and amounts (a discarded invalid one has neither).
        "show_totals": state not in (ListStatus.RECEIVED, ListStatus.CHECKING, ListStatus.INVALID)
        and deposit_list.total_base > 0,
        "lines": None,
        "progress_template": PROGRESS_TEXT,
        "progress_text": _progress_text(progress),
        "reading_text": READING_TEXT,
        "file_format": str(FORMAT_LABELS.get(deposit_list.file_format, deposit_list.file_format)),
        "file_kb": f"{deposit_list.file_size / 1024:,.1f}",
    }
    if state == ListStatus.INVALID:
        page = _page(request, list_errors(deposit_list), size=ROWS_PAGE_SIZE)
        context.update(page=page, problems=_problem_rows(page.object_list))
    elif context["show_totals"]:
        page = _page(request, list_lines(deposit_list), size=ROWS_PAGE_SIZE)
        context.update(page=page, lines=_line_rows(page.object_list))
    return render(request, "web/employer/lists/detail.html", context, status=status)


@employer_only
def detail(request, pk: int):
    return _render_list(request, _unit_list(request, pk))


@require_GET
@never_cache
@employer_only
def progress(request, pk: int):
    """The list's progress for the page's poller: rows checked of rows total, and the status."""
    state = progress_of(_unit_list(request, pk))
    return JsonResponse(
        {
            "status": state.status,
            "status_label": state.status_label,
            "rows_total": state.rows_total,
            "rows_checked": state.rows_checked,
            "percent": state.percent,
            "moving": state.moving,
        }
    )


@require_GET
@employer_only
def report(request, pk: int, fmt: str):
    """Every problem of an invalid list, as a spreadsheet to fix the file by."""
    deposit_list = _unit_list(request, pk)
    if fmt not in FORMATS or deposit_list.status != ListStatus.INVALID:
        raise Http404
    content = error_report(deposit_list, fmt=fmt)
    filename = f"{_('Problems')}-{deposit_list.period:%Y-%m}-{deposit_list.pk}.{fmt}"
    return _attachment(content, fmt=fmt, filename=filename)


def _submit(deposit_list, actor, reason):
    services.submit_list(deposit_list=deposit_list, actor=actor)


def _discard(deposit_list, actor, reason):
    services.discard_list(deposit_list=deposit_list, actor=actor)


def _approve(deposit_list, actor, reason):
    services.approve_list(deposit_list=deposit_list, actor=actor)


def _return(deposit_list, actor, reason):
    services.return_list(deposit_list=deposit_list, actor=actor, reason=reason)


def _retry(deposit_list, actor, reason):
    services.retry_collection(deposit_list=deposit_list, actor=actor)


_ACTIONS = {
    "submit": (_submit, gettext_lazy("The list is submitted: it now waits for the unit's approver.")),
    "discard": (_discard, gettext_lazy("The list is discarded.")),
    "approve": (_approve, gettext_lazy("You approved the list: the bank is collecting the money.")),
    "return": (_return, gettext_lazy("You returned the list to the preparer.")),
    "retry": (_retry, gettext_lazy("The collection is with the bank again.")),
}


@require_POST
@employer_only
def act(request, pk: int, action: str):
    """One operator action, one service call; a refusal is shown on the list's page."""
    if action not in _ACTIONS:
        raise Http404
    deposit_list = _unit_list(request, pk)
    typed_reason = request.POST.get("reason", "")
    call, done = _ACTIONS[action]
    try:
        call(deposit_list, request.user, typed_reason)
    except DomainError as error:
        return _render_list(
            request,
            _unit_list(request, pk),
            error={"code": error.code, "message": error.message, "action": action},
            typed_reason=typed_reason,
            status=_error_status(error),
        )
    messages.success(request, done)
    return redirect("web:employer-list", pk=pk)
