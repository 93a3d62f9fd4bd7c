"""The life of a deposit list, from upload to the credit on every account (see deposits.models).

Each use case is one durable transaction that locks the list, checks its state, changes it and
writes the audit row; work outside the database (reading a file, talking to the bank) happens
before or after, never under a lock. Background work is queued after commit.
"""

from __future__ import annotations

import hashlib
from datetime import date

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from accounts.models import AccountStatus, Employer, EmployerStatus, FundAccount
from accounts.roles import EMPLOYER_APPROVER, EMPLOYER_PREPARER, roles_of
from audit.services import record_event
from core.exceptions import DomainError
from core.money import format_yuan
from deposits.models import HOLDING_STATUSES, DepositLine, DepositList, DepositListFile, ListKind, ListStatus
from deposits.reading import FILE, RowError, read_list
from deposits.staging import stage_errors, stage_lines
from deposits.templates_file import CSV, XLSX, list_template
from deposits.validation import expected_period, validate_list
from ledger.bulk import AmountsQuery, post_batch_entry
from ledger.centre import BANK_SETTLEMENT, DEPOSIT_SUSPENSE
from ledger.models import BUSINESS_TYPE_RECORD_NAMES, JournalLine
from ledger.services import Line, centre_account, post_entry
from notifications.models import MessageKind, NoticeBatch
from notifications.services import Notice, notify_many
from notifications.text import Month, yuan

# --- errors -----------------------------------------------------------------------------------


# ``http_status`` is how the web pages and the API answer each refusal.


class DepositsError(DomainError):
    code = "DEPOSITS_ERROR"
    http_status = 400


class NotYourUnit(DepositsError):
    # As if absent: another unit's list ids are not to be probed.
    code = "NOT_YOUR_UNIT"
    http_status = 404


class RoleRequired(DepositsError):
    code = "ROLE_REQUIRED"
    http_status = 403


class SameOperator(DepositsError):
    code = "SAME_OPERATOR"
    http_status = 403


class ListNotInState(DepositsError):
    code = "LIST_STATE"
    http_status = 409


class UnitCannotPay(DepositsError):
    code = "UNIT_CANNOT_PAY"
    http_status = 409


class InvalidPeriod(DepositsError):
    code = "WRONG_PERIOD"


class InvalidFormat(DepositsError):
    code = "INVALID_FORMAT"


class PeriodTaken(DepositsError):
    code = "PERIOD_TAKEN"
    http_status = 409


class ListOutOfDate(DepositsError):
    code = "LIST_OUT_OF_DATE"
    http_status = 409


class AlreadyPaid(DepositsError):
    code = "ALREADY_PAID"
    http_status = 409


TEMPLATE_FORMATS = (XLSX, CSV)

# --- helpers ----------------------------------------------------------------------------------


def _require_operator(actor, employer: Employer, role: str) -> None:
    if actor is None or not actor.is_active or getattr(actor, "employer_id", None) != employer.pk:
        raise NotYourUnit(_("This list belongs to another unit."))
    if role not in roles_of(actor):
        if role == EMPLOYER_APPROVER:
            raise RoleRequired(_("Only the unit's approver can do this."))
        raise RoleRequired(_("Only the unit's preparer can do this."))


def _locked(deposit_list: DepositList) -> DepositList:
    return DepositList.objects.select_for_update().select_related("employer").get(pk=deposit_list.pk)


def _require_status(deposit_list: DepositList, *allowed: str) -> None:
    if deposit_list.status not in allowed:
        raise ListNotInState(
            _("This list is %(status)s; that cannot be done now.")
            % {"status": deposit_list.get_status_display()}
        )


def _summary(deposit_list: DepositList, what: str) -> str:
    # Stored in Chinese whatever the request language: records read the same for every reader.
    name = BUSINESS_TYPE_RECORD_NAMES[deposit_list.kind]
    return f"{name}清册 {deposit_list.period:%Y-%m} #{deposit_list.pk} {what}"


def month_start(value: date) -> date:
    return value.replace(day=1)


def _check_period(kind: str, period: date) -> None:
    if kind not in ListKind.values:
        raise InvalidPeriod(_("Choose a monthly list or a back-payment list."), field="kind")
    if period.day != 1:
        raise InvalidPeriod(_("A list is for a whole month."), field="period")


def _queue_collection(list_id: int) -> None:
    from deposits.tasks import collect_deposit_list

    transaction.on_commit(lambda: collect_deposit_list.delay(list_id=list_id))


# --- template ---------------------------------------------------------------------------------


def download_template(*, employer: Employer, period: date, fmt: str, actor) -> bytes:
    """The list pre-filled with the unit's staff; the download is recorded (it carries ID numbers)."""
    if actor is None or not actor.is_active or getattr(actor, "employer_id", None) != employer.pk:
        raise NotYourUnit(_("This list belongs to another unit."))
    _check_period(ListKind.MONTHLY, period)
    if fmt not in TEMPLATE_FORMATS:
        raise InvalidFormat(_("The template comes as xlsx or csv."), field="format")
    content = list_template(employer=employer, period=period, fmt=fmt)
    with transaction.atomic(durable=True):
        record_event(
            actor=actor,
            action="deposits.template_downloaded",
            target=employer,
            summary=f"下载 {period:%Y-%m} 汇缴清册模板 ({fmt})",
            data={"period": period, "format": fmt, "bytes": len(content)},
        )
    return content


# --- upload and check -------------------------------------------------------------------------


def checks_at_once(size: int) -> bool:
    """Where a list of ``size`` bytes is checked: while the clerk waits, or by a worker.

    A small list is checked inside the upload, so the clerk lands on the preview; a larger one
    is left to a worker while the page shows the progress.
    """
    return size <= settings.DEPOSIT_LIST_INLINE_BYTES


def upload_list(
    *,
    employer: Employer,
    kind: str,
    period: date,
    filename: str,
    content: bytes,
    actor,
    language: str | None = None,
    check_now: bool | None = None,
) -> DepositList:
    """Store an uploaded list and check it; a file over the size limit is refused at once.

    With ``check_now`` (by default: when :func:`checks_at_once` says so) the list is checked in
    this call, after the upload has committed, and comes back READY or INVALID; otherwise a
    worker checks it and it comes back RECEIVED. The file is kept in the database (any worker
    can read it) until the list is checked.
    """
    if check_now is None:
        check_now = checks_at_once(len(content))
    _require_operator(actor, employer, EMPLOYER_PREPARER)
    _check_period(kind, period)
    if employer.status != EmployerStatus.NORMAL:
        raise UnitCannotPay(
            _("The unit's account is %(status)s: it cannot pay in.")
            % {"status": employer.get_status_display()}
        )
    too_large = len(content) > settings.DEPOSIT_LIST_MAX_BYTES
    with transaction.atomic(durable=True):
        deposit_list = DepositList.objects.create(
            employer=employer,
            kind=kind,
            period=period,
            filename=(filename or "list")[:255],
            # Over the limit the caller may have read only the first bytes: no hash of a part.
            file_sha256="" if too_large else hashlib.sha256(content).hexdigest(),
            file_size=len(content),
            language=language or translation.get_language() or settings.LANGUAGE_CODE,
            uploaded_by=actor,
            # Also for a list checked at once: if that request dies, the sweeper finds it.
            check_queued_at=timezone.now(),
        )
        if too_large:
            # Refused before the bytes are stored: a 200 MB upload must not fill the database.
            result = read_list(content, filename=deposit_list.filename)
            _finish_invalid(deposit_list, result.errors, rows_total=0)
        else:
            DepositListFile.objects.create(deposit_list=deposit_list, content=content)
            if not check_now:
                _queue_check_after_commit(deposit_list.pk)
        record_event(
            actor=actor,
            action="deposits.list_uploaded",
            target=deposit_list,
            summary=_summary(deposit_list, f"上传 {len(content)} 字节"),
            data={"kind": kind, "period": period, "sha256": deposit_list.file_sha256, "bytes": len(content)},
        )
    if check_now and not too_large:
        return check_list(list_id=deposit_list.pk)
    return deposit_list


def _finish_invalid(deposit_list: DepositList, errors: list[RowError], *, rows_total: int) -> None:
    stage_errors(list_id=deposit_list.pk, errors=errors)
    deposit_list.status = ListStatus.INVALID
    deposit_list.rows_total = rows_total
    deposit_list.rows_checked = rows_total
    deposit_list.error_count = len(errors)
    deposit_list.checked_at = timezone.now()
    deposit_list.save(update_fields=["status", "rows_total", "rows_checked", "error_count", "checked_at"])


def _report_progress(list_id: int, checked: int) -> None:
    # Outside the check's own transaction, so the page polling the list sees it move.
    DepositList.objects.filter(pk=list_id, status=ListStatus.CHECKING).update(rows_checked=checked)


def requeue_stalled_checks(*, older_than) -> list[int]:
    """Queue again the checks not finished since ``older_than`` (their worker died), once per pause.

    The mark moves in the same statement that picks the lists, so a busy month-end queue does
    not fill with copies of the same check every minute.
    """
    now = timezone.now()
    with transaction.atomic(durable=True):
        ids = list(
            DepositList.objects.select_for_update(skip_locked=True)
            .filter(status__in=(ListStatus.RECEIVED, ListStatus.CHECKING), check_queued_at__lt=older_than)
            .values_list("pk", flat=True)
        )
        DepositList.objects.filter(pk__in=ids).update(check_queued_at=now)
        for list_id in ids:
            _queue_check_after_commit(list_id)
    return ids


def _queue_check_after_commit(list_id: int) -> None:
    from deposits.tasks import check_deposit_list

    transaction.on_commit(lambda: check_deposit_list.delay(list_id=list_id))


def check_list(*, list_id: int, on: date | None = None) -> DepositList:
    """Read and validate a RECEIVED list, then stage its lines (READY) or its problems (INVALID).

    Idempotent: a list already checked is returned as it is. A redelivered task finds the list
    CHECKING and checks it again; the results are written under the list's lock only while it
    is still CHECKING, so two runs racing write them once.
    """
    claimed = DepositList.objects.filter(pk=list_id, status=ListStatus.RECEIVED).update(
        status=ListStatus.CHECKING
    )
    deposit_list = DepositList.objects.select_related("employer").get(pk=list_id)
    if not claimed and deposit_list.status != ListStatus.CHECKING:
        return deposit_list
    stored = DepositListFile.objects.filter(deposit_list_id=list_id).values_list("content", flat=True).first()
    if stored is None:
        # A concurrent run (the worker beside an upload checked at once) finished the check and
        # dropped the file since the list was read above: its result stands.
        return DepositList.objects.select_related("employer").get(pk=list_id)
    content = bytes(stored)
    on = on or timezone.localdate()
    with translation.override(deposit_list.language):
        read = read_list(content, filename=deposit_list.filename)
        DepositList.objects.filter(pk=list_id).update(rows_total=len(read.rows))
        validation = None
        if read.file_ok:
            validation = validate_list(
                read.rows,
                employer=deposit_list.employer,
                period=deposit_list.period,
                on=on,
                kind=deposit_list.kind,
                progress=lambda checked: _report_progress(list_id, checked),
            )
        errors = sorted(
            [*read.errors, *(validation.errors if validation else [])], key=lambda error: error.row
        )

    with transaction.atomic(durable=True):
        deposit_list = _locked(deposit_list)
        if deposit_list.status != ListStatus.CHECKING:
            return deposit_list
        deposit_list.file_format = read.encoding or ""
        deposit_list.save(update_fields=["file_format"])
        if errors or validation is None or not validation.lines:
            if not errors:
                errors = [
                    RowError(
                        row=0,
                        field=FILE,
                        code="EMPTY_FILE",
                        message=str(_("The list has no rows to pay.")),
                    )
                ]
            _finish_invalid(deposit_list, errors, rows_total=len(read.rows))
            if validation is not None:
                deposit_list.rows_valid = validation.totals.valid_rows
                deposit_list.save(update_fields=["rows_valid"])
        else:
            stage_lines(list_id=deposit_list.pk, lines=validation.lines)
            totals = validation.totals
            deposit_list.status = ListStatus.READY
            deposit_list.rows_total = totals.rows
            deposit_list.rows_checked = totals.rows
            deposit_list.rows_valid = totals.valid_rows
            deposit_list.total_base = totals.base
            deposit_list.employer_amount = totals.employer_part
            deposit_list.employee_amount = totals.employee_part
            deposit_list.checked_at = timezone.now()
            deposit_list.save(
                update_fields=[
                    "status",
                    "rows_total",
                    "rows_checked",
                    "rows_valid",
                    "total_base",
                    "employer_amount",
                    "employee_amount",
                    "checked_at",
                ]
            )
        # The file has served its purpose; the lines or the problems are what remain.
        DepositListFile.objects.filter(deposit_list_id=deposit_list.pk).delete()
        record_event(
            actor=None,
            actor_label="system:deposits",
            action="deposits.list_checked",
            target=deposit_list,
            summary=_summary(
                deposit_list,
                f"校验 {deposit_list.rows_total} 行, {deposit_list.error_count} 个问题, "
                f"合计 {format_yuan(deposit_list.amount)} 元",
            ),
            data={
                "status": deposit_list.status,
                "rows_total": deposit_list.rows_total,
                "rows_valid": deposit_list.rows_valid,
                "errors": deposit_list.error_count,
                "amount_fen": deposit_list.amount,
                "format": deposit_list.file_format,
            },
        )
    return deposit_list


# --- maker-checker ----------------------------------------------------------------------------


def _check_still_current(deposit_list: DepositList) -> None:
    """Refuse a list the unit's position has overtaken since it was checked (under the unit's lock)."""
    employer = deposit_list.employer
    if deposit_list.kind == ListKind.MONTHLY:
        expected = expected_period(employer)
        if expected is not None and deposit_list.period != expected:
            raise ListOutOfDate(
                _("The unit is now paid up to %(paid_up_to)s: this list for %(period)s is out of date.")
                % {"paid_up_to": f"{employer.paid_up_to:%Y-%m}", "period": f"{deposit_list.period:%Y-%m}"}
            )
    moved = (
        DepositLine.objects.filter(deposit_list=deposit_list)
        .exclude(account__employer=employer, account__status=AccountStatus.NORMAL)
        .values_list("row_no", flat=True)
        .order_by("row_no")[:10]
    )
    moved = list(moved)
    if moved:
        raise ListOutOfDate(
            _(
                "Some people on this list no longer have an active account at the unit "
                "(rows %(rows)s); upload it again."
            )
            % {"rows": ", ".join(str(row) for row in moved)}
        )
    if deposit_list.kind == ListKind.BACK_PAYMENT:
        _check_not_paid_twice(deposit_list)


def _check_not_paid_twice(deposit_list: DepositList) -> None:
    # Another back-payment list that holds this month for one of these people (each valid when
    # checked): the second would pay them twice. Monthly lists are kept apart by their period.
    paid_twice = list(
        DepositLine.objects.filter(
            deposit_list__period=deposit_list.period,
            deposit_list__status__in=HOLDING_STATUSES,
            account_id__in=DepositLine.objects.filter(deposit_list=deposit_list).values("account_id"),
        )
        .exclude(deposit_list=deposit_list)
        .values_list("deposit_list_id", flat=True)
        .distinct()[:5]
    )
    if paid_twice:
        raise AlreadyPaid(
            _("Some people on this list are already paid for %(period)s by list %(lists)s; upload it again.")
            % {"period": f"{deposit_list.period:%Y-%m}", "lists": ", ".join(f"#{pk}" for pk in paid_twice)}
        )


def submit_list(*, deposit_list: DepositList, actor) -> DepositList:
    """The preparer submits a READY list for the approver's decision."""
    with transaction.atomic(durable=True):
        deposit_list = _locked(deposit_list)
        _require_operator(actor, deposit_list.employer, EMPLOYER_PREPARER)
        _require_status(deposit_list, ListStatus.READY)
        Employer.objects.select_for_update().filter(pk=deposit_list.employer_id).get()
        _check_still_current(deposit_list)
        deposit_list.status = ListStatus.SUBMITTED
        deposit_list.submitted_by = actor
        deposit_list.submitted_at = timezone.now()
        try:
            with transaction.atomic():
                deposit_list.save(update_fields=["status", "submitted_by", "submitted_at"])
        except IntegrityError as exc:
            raise PeriodTaken(
                _("Another monthly list for %(period)s is already submitted.")
                % {"period": f"{deposit_list.period:%Y-%m}"}
            ) from exc
        record_event(
            actor=actor,
            action="deposits.list_submitted",
            target=deposit_list,
            summary=_summary(deposit_list, f"提交审核, 合计 {format_yuan(deposit_list.amount)} 元"),
            data={"amount_fen": deposit_list.amount, "rows": deposit_list.rows_valid},
        )
    return deposit_list


def _order_ref(deposit_list: DepositList) -> str:
    return f"FPDL{deposit_list.pk:010d}-{deposit_list.collection_attempt}"


def approve_list(*, deposit_list: DepositList, actor) -> DepositList:
    """The approver (not the preparer who submitted it) approves: a collection order goes to the bank."""
    with transaction.atomic(durable=True):
        deposit_list = _locked(deposit_list)
        _require_operator(actor, deposit_list.employer, EMPLOYER_APPROVER)
        _require_status(deposit_list, ListStatus.SUBMITTED)
        if deposit_list.submitted_by_id == actor.pk:
            raise SameOperator(
                _("The list must be approved by someone other than the person who submitted it.")
            )
        # The unit's lock orders approvals: a list approved a moment earlier has moved the paid-up month.
        deposit_list.employer = Employer.objects.select_for_update().get(pk=deposit_list.employer_id)
        _check_still_current(deposit_list)
        deposit_list.status = ListStatus.COLLECTING
        deposit_list.decided_by = actor
        deposit_list.decided_at = timezone.now()
        deposit_list.collection_attempt += 1
        deposit_list.order_ref = _order_ref(deposit_list)
        deposit_list.save(
            update_fields=["status", "decided_by", "decided_at", "collection_attempt", "order_ref"]
        )
        record_event(
            actor=actor,
            action="deposits.list_approved",
            target=deposit_list,
            summary=_summary(deposit_list, f"审核通过, 委托收款 {format_yuan(deposit_list.amount)} 元"),
            data={"amount_fen": deposit_list.amount, "order_ref": deposit_list.order_ref},
        )
        _queue_collection(deposit_list.pk)
    return deposit_list


def return_list(*, deposit_list: DepositList, actor, reason: str) -> DepositList:
    """The approver sends a submitted (or failed) list back; the unit uploads a corrected one."""
    reason = " ".join((reason or "").split())[:200]
    if not reason:
        raise DepositsError(_("Say why the list is returned."), field="reason")
    with transaction.atomic(durable=True):
        deposit_list = _locked(deposit_list)
        _require_operator(actor, deposit_list.employer, EMPLOYER_APPROVER)
        _require_status(deposit_list, ListStatus.SUBMITTED, ListStatus.COLLECTION_FAILED)
        deposit_list.status = ListStatus.RETURNED
        deposit_list.decided_by = actor
        deposit_list.decided_at = timezone.now()
        deposit_list.return_reason = reason
        deposit_list.save(update_fields=["status", "decided_by", "decided_at", "return_reason"])
        record_event(
            actor=actor,
            action="deposits.list_returned",
            target=deposit_list,
            summary=_summary(deposit_list, "退回"),
            data={"reason": reason},
        )
    return deposit_list


def discard_list(*, deposit_list: DepositList, actor) -> DepositList:
    """The preparer drops a list that was not submitted."""
    with transaction.atomic(durable=True):
        deposit_list = _locked(deposit_list)
        _require_operator(actor, deposit_list.employer, EMPLOYER_PREPARER)
        _require_status(deposit_list, ListStatus.READY, ListStatus.INVALID)
        deposit_list.status = ListStatus.DISCARDED
        deposit_list.save(update_fields=["status"])
        record_event(
            actor=actor,
            action="deposits.list_discarded",
            target=deposit_list,
            summary=_summary(deposit_list, "作废"),
        )
    return deposit_list


def retry_collection(*, deposit_list: DepositList, actor) -> DepositList:
    """After a failed debit (say the unit has topped its account up), the approver collects again."""
    with transaction.atomic(durable=True):
        deposit_list = _locked(deposit_list)
        _require_operator(actor, deposit_list.employer, EMPLOYER_APPROVER)
        _require_status(deposit_list, ListStatus.COLLECTION_FAILED)
        deposit_list.employer = Employer.objects.select_for_update().get(pk=deposit_list.employer_id)
        _check_still_current(deposit_list)
        deposit_list.status = ListStatus.COLLECTING
        deposit_list.collection_attempt += 1
        # A new reference: the bank settled the old one as failed and would answer it so again.
        deposit_list.order_ref = _order_ref(deposit_list)
        deposit_list.bank_ref = ""
        deposit_list.order_accepted_at = None
        deposit_list.failure_code = ""
        deposit_list.settled_on = None
        deposit_list.save(
            update_fields=[
                "status",
                "collection_attempt",
                "order_ref",
                "bank_ref",
                "order_accepted_at",
                "failure_code",
                "settled_on",
            ]
        )
        record_event(
            actor=actor,
            action="deposits.collection_retried",
            target=deposit_list,
            summary=_summary(deposit_list, f"重新委托收款 第 {deposit_list.collection_attempt} 次"),
            data={"order_ref": deposit_list.order_ref},
        )
        _queue_collection(deposit_list.pk)
    return deposit_list


# --- the bank's answer ------------------------------------------------------------------------


def record_order_accepted(*, list_id: int, order_ref: str, bank_ref: str, accepted_at) -> bool:
    """Note the bank's acceptance of the current order; False if the list has moved on."""
    return bool(
        DepositList.objects.filter(
            pk=list_id, status=ListStatus.COLLECTING, order_ref=order_ref, order_accepted_at__isnull=True
        ).update(bank_ref=bank_ref, order_accepted_at=accepted_at)
    )


def forget_order_acceptance(*, list_id: int, order_ref: str) -> None:
    """The bank has no such order (it never accepted it): the next run submits it again."""
    DepositList.objects.filter(pk=list_id, status=ListStatus.COLLECTING, order_ref=order_ref).update(
        order_accepted_at=None
    )


#: An account in one of these can take no more money: a closing withdrawal or transfer ended it.
CLOSED_STATUSES = (AccountStatus.MERGED, AccountStatus.TRANSFERRED_OUT, AccountStatus.CLOSED_BY_WITHDRAWAL)


def _closed_accounts_locked(deposit_list: DepositList) -> list[int]:
    """Lock the list's fund accounts and return those closed since the list was approved.

    Primary-key order, fund account before ledger account, as a closing withdrawal locks them: an
    account cannot close while its part is being credited, nor be credited once it has closed.
    """
    rows = (
        FundAccount.objects.select_for_update()
        .filter(pk__in=DepositLine.objects.filter(deposit_list=deposit_list).values("account_id"))
        .order_by("pk")
        .values_list("pk", "status")
    )
    return [pk for pk, status in rows if status in CLOSED_STATUSES]


def _hold_in_suspense(deposit_list: DepositList, closed: list[int], *, settled_on: date) -> None:
    """Post the parts of closed accounts to 暂收款: collected from the unit, owed back to it."""
    held = (
        DepositLine.objects.filter(deposit_list=deposit_list, account_id__in=closed)
        .annotate(amount=F("employer_part") + F("employee_part"))
        .filter(amount__gt=0)
    )
    total = sum(held.values_list("amount", flat=True))
    if not total:
        return
    entry = post_entry(
        lines=[
            Line(account=centre_account(BANK_SETTLEMENT), debit=total),
            Line(account=centre_account(DEPOSIT_SUSPENSE), credit=total),
        ],
        business_type=deposit_list.kind,
        business_on=settled_on,
        idempotency_key=f"deposit-list:{deposit_list.pk}:suspense",
        memo=f"{BUSINESS_TYPE_RECORD_NAMES[deposit_list.kind]} {deposit_list.period:%Y-%m} 已销户人员暂收",
    )
    deposit_list.suspense_count = held.count()
    deposit_list.suspense_amount = total
    deposit_list.suspense_entry = entry
    record_event(
        actor=None,
        actor_label="system:bank",
        action="deposits.held_in_suspense",
        target=deposit_list,
        summary=_summary(
            deposit_list, f"已销户 {deposit_list.suspense_count} 人 {format_yuan(total)} 元 转暂收款"
        ),
        data={"accounts": closed, "amount_fen": total, "entry_id": entry.pk},
    )


DEPOSITS_LINK = "/hall/statement/"
_ARRIVED_TITLE = _("Deposit arrived")
_ARRIVED_TEXT = {
    ListKind.MONTHLY: _(
        "The housing fund deposit of %(amount)s yuan for %(month)s from %(unit)s has arrived in your account."
    ),
    ListKind.BACK_PAYMENT: _(
        "The housing fund back-payment of %(amount)s yuan for %(month)s from %(unit)s has arrived "
        "in your account."
    ),
}


def notify_depositors(*, list_id: int) -> int:
    """Tell every person a posted list credited that their deposit arrived; returns how many.

    Runs after the posting commits (``deposits.tasks.notify_deposit_list``), in its own
    transaction: tens of thousands of messages are not written while the posting holds every
    account of the list locked. Once per list however often it runs (``NoticeBatch`` key); the
    minute sweep queues it again for a list whose task was lost. The people are those the
    posting credited: the entry's credit lines to fund accounts (closed accounts were held in
    suspense, not credited).
    """
    with transaction.atomic(durable=True):
        deposit_list = DepositList.objects.select_related("employer").filter(pk=list_id).first()
        if (
            deposit_list is None
            or deposit_list.status != ListStatus.POSTED
            or not deposit_list.journal_entry_id
        ):
            return 0
        if NoticeBatch.objects.filter(key=notices_key(list_id)).exists():
            return 0  # told already: the credits are not even read again
        credits = (
            JournalLine.objects.filter(
                entry_id=deposit_list.journal_entry_id, credit__gt=0, account__fund_account__isnull=False
            )
            .order_by("account__fund_account__person_id")
            .values_list(
                "account__fund_account__person_id",
                "account__fund_account__person__language",
                "account__fund_account__person__mobile",
                "credit",
            )
        )
        return notify_many(
            notices=[
                Notice(person_id=person_id, language=language, mobile=mobile, params={"amount": yuan(amount)})
                for person_id, language, mobile, amount in credits.iterator(chunk_size=5000)
            ],
            key=notices_key(list_id),
            kind=MessageKind.DEPOSIT_ARRIVED,
            title=_ARRIVED_TITLE,
            body=_ARRIVED_TEXT[deposit_list.kind],
            params={"month": Month(deposit_list.period), "unit": deposit_list.employer.name},
            link=DEPOSITS_LINK,
        )


def notices_key(list_id: int) -> str:
    return f"deposit-list:{list_id}"


def lists_not_yet_notified(*, posted_after, posted_before) -> list[int]:
    """Posted lists whose depositors have not been told (their task was lost): for the sweep."""
    posted = list(
        DepositList.objects.filter(
            status=ListStatus.POSTED, posted_at__gt=posted_after, posted_at__lt=posted_before
        ).values_list("pk", flat=True)
    )
    told = set(
        NoticeBatch.objects.filter(key__in=[notices_key(pk) for pk in posted]).values_list("key", flat=True)
    )
    return [pk for pk in posted if notices_key(pk) not in told]


def _queue_notices(list_id: int) -> None:
    from deposits.tasks import notify_deposit_list

    notify_deposit_list.delay(list_id=list_id)


def record_collection_result(
    *, order_ref: str, succeeded: bool, failure_code: str | None, bank_ref: str, settled_on: date
) -> DepositList | None:
    """Apply the bank's settled result of a collection order, exactly once.

    On success one ledger entry (business type 01 or 02) debits the centre's bank account and
    credits every account on the list, and a monthly list moves the unit's paid-up month to its
    period. On failure nothing is posted and the list says why. A repeated result (a second
    callback, a retried task) or the result of an earlier attempt finds the list no longer
    COLLECTING under that reference and changes nothing. Returns the list, or None if no list
    has this reference.
    """
    with transaction.atomic(durable=True):
        deposit_list = (
            DepositList.objects.select_for_update()
            .select_related("employer")
            .filter(order_ref=order_ref)
            .first()
        )
        if deposit_list is None or deposit_list.status != ListStatus.COLLECTING:
            return deposit_list
        deposit_list.bank_ref = bank_ref or deposit_list.bank_ref
        deposit_list.settled_on = settled_on
        if not succeeded:
            deposit_list.status = ListStatus.COLLECTION_FAILED
            deposit_list.failure_code = failure_code or "UNKNOWN"
            deposit_list.save(update_fields=["status", "failure_code", "bank_ref", "settled_on"])
            record_event(
                actor=None,
                actor_label="system:bank",
                action="deposits.collection_failed",
                target=deposit_list,
                summary=_summary(deposit_list, f"委托收款失败 {deposit_list.failure_code}"),
                data={"order_ref": order_ref, "failure_code": deposit_list.failure_code},
            )
            return deposit_list

        employer = Employer.objects.select_for_update().get(pk=deposit_list.employer_id)
        closed = _closed_accounts_locked(deposit_list)
        paid = (
            DepositLine.objects.filter(deposit_list=deposit_list)
            .exclude(account_id__in=closed)
            .annotate(amount=F("employer_part") + F("employee_part"))
            .filter(amount__gt=0)
        )
        paid_count = paid.count()
        # The credits stay in the database: read straight from the list's lines into the posting.
        credits_sql, credits_params = paid.values_list(
            "account__ledger_account_id", "amount"
        ).query.sql_with_params()
        entry = post_batch_entry(
            business_type=deposit_list.kind,
            business_on=settled_on,
            idempotency_key=f"deposit-list:{deposit_list.pk}",
            memo=f"{BUSINESS_TYPE_RECORD_NAMES[deposit_list.kind]} {deposit_list.period:%Y-%m} "
            f"{employer.unit_account_no} {paid_count} 人",
            actor=None,
            counter_account=centre_account(BANK_SETTLEMENT),
            credits=AmountsQuery(credits_sql, credits_params),
        )
        if closed:
            _hold_in_suspense(deposit_list, closed, settled_on=settled_on)
        # robust: a broker that is down must not undo the posting's request; the sweep queues it later.
        transaction.on_commit(lambda: _queue_notices(deposit_list.pk), robust=True)
        if deposit_list.kind == ListKind.MONTHLY and (
            employer.paid_up_to is None or employer.paid_up_to < deposit_list.period
        ):
            employer.paid_up_to = deposit_list.period
            employer.save(update_fields=["paid_up_to"])
        deposit_list.status = ListStatus.POSTED
        deposit_list.journal_entry = entry
        deposit_list.posted_at = timezone.now()
        deposit_list.save(
            update_fields=[
                "status",
                "journal_entry",
                "posted_at",
                "bank_ref",
                "settled_on",
                "suspense_count",
                "suspense_amount",
                "suspense_entry",
            ]
        )
        record_event(
            actor=None,
            actor_label="system:bank",
            action="deposits.list_posted",
            target=deposit_list,
            summary=_summary(
                deposit_list, f"到账入账 {format_yuan(deposit_list.amount)} 元, {paid_count} 人"
            ),
            data={
                "order_ref": order_ref,
                "entry_id": entry.pk,
                "amount_fen": deposit_list.amount,
                "paid_up_to": employer.paid_up_to,
            },
        )
    return deposit_list
