"""Reading deposit lists for the employer's pages, the API and operators."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Employer
from deposits.models import DepositLine, DepositList, DepositListError, ListStatus

#: Statuses in which the page keeps polling: something is still happening without the clerk.
MOVING_STATUSES = (ListStatus.RECEIVED, ListStatus.CHECKING, ListStatus.COLLECTING)


def lists_of_employer(employer: Employer) -> QuerySet[DepositList]:
    return DepositList.objects.filter(employer=employer).order_by("-uploaded_at", "-pk")


def list_of_employer(employer: Employer, list_id: int) -> DepositList | None:
    """The unit's own list, or None: another unit's list is as good as absent."""
    return DepositList.objects.filter(employer=employer, pk=list_id).select_related("employer").first()


def list_errors(deposit_list: DepositList) -> QuerySet[DepositListError]:
    return deposit_list.errors.order_by("row", "pk")


def list_lines(deposit_list: DepositList) -> QuerySet[DepositLine]:
    return deposit_list.lines.select_related("account__person").order_by("row_no")


@dataclass(frozen=True)
class Progress:
    status: str
    status_label: str
    rows_total: int
    rows_checked: int
    moving: bool

    @property
    def percent(self) -> int:
        if not self.moving:
            return 100
        if not self.rows_total:
            return 0
        return min(99, self.rows_checked * 100 // self.rows_total)


def progress_of(deposit_list: DepositList) -> Progress:
    return Progress(
        status=deposit_list.status,
        status_label=str(deposit_list.get_status_display()),
        rows_total=deposit_list.rows_total,
        rows_checked=deposit_list.rows_checked,
        moving=deposit_list.status in MOVING_STATUSES,
    )


# A problem's column as the clerk knows it: in Chinese these are the file's own header names.
FIELD_LABELS = {
    "id_number": gettext_lazy("ID number"),
    "name": gettext_lazy("Full name"),
    "base": gettext_lazy("Deposit base"),
    "account_no": gettext_lazy("Account number"),
    "period": gettext_lazy("Month"),
    "file": gettext_lazy("File"),
}


def field_label(field: str) -> str:
    return str(FIELD_LABELS.get(field, field))


def _error_rows(deposit_list: DepositList):
    rows = list_errors(deposit_list).values_list("row", "field", "code", "message").iterator(chunk_size=2000)
    for row, field, code, message in rows:
        yield row, field_label(field), code, message


def error_report(deposit_list: DepositList, *, fmt: str) -> bytes:
    """Every problem of the list as a spreadsheet (xlsx) or csv, in the reader's language."""
    header = (_("Row"), _("Field"), _("Code"), _("Problem"))
    if fmt == "csv":
        buffer = io.StringIO(newline="")
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(header)
        writer.writerows(_error_rows(deposit_list))
        # With a BOM so that Excel on Chinese Windows opens the UTF-8 text correctly.
        return buffer.getvalue().encode("utf-8-sig")
    if fmt == "xlsx":
        from openpyxl import Workbook

        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet(title=f"{deposit_list.period:%Y-%m}")
        for column, width in zip("ABCD", (8, 12, 24, 80), strict=True):
            sheet.column_dimensions[column].width = width
        sheet.append(header)
        for row in _error_rows(deposit_list):
            sheet.append(row)
        output = io.BytesIO()
        workbook.save(output)
        return output.getvalue()
    raise ValueError(f"fmt must be 'csv' or 'xlsx', not {fmt!r}")
