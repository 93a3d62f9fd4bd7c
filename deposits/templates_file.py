"""The monthly list template an employer downloads: its normal accounts, pre-filled (CONTRACT.md).

Full ID numbers are written (the unit's own staff; the interface records the download), with
the current base in yuan ("8000.00") and the account number, in the columns ``read_list``
reads back. csv is UTF-8 with a BOM so that Excel on Chinese Windows opens it correctly; in
xlsx every cell is text, so Excel cannot turn an 18-digit ID number into a rounded number.
"""

from __future__ import annotations

import csv
import io
from datetime import date

from accounts.models import AccountStatus, Employer, FundAccount
from core.money import format_yuan

HEADER = ("身份证号", "姓名", "缴存基数", "个人账号")
CSV = "csv"
XLSX = "xlsx"


def _template_rows(employer: Employer):
    accounts = (
        FundAccount.objects.filter(employer=employer, status=AccountStatus.NORMAL)
        .select_related("person")
        .order_by("account_no")
    )
    for account in accounts.iterator(chunk_size=2000):
        yield (account.person.id_number, account.person.name, format_yuan(account.base), account.account_no)


def list_template(*, employer: Employer, period: date, fmt: str) -> bytes:
    """The list for ``period`` pre-filled with the unit's normal accounts, as csv or xlsx bytes."""
    if fmt == CSV:
        buffer = io.StringIO(newline="")
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(HEADER)
        writer.writerows(_template_rows(employer))
        return buffer.getvalue().encode("utf-8-sig")
    if fmt == XLSX:
        from openpyxl import Workbook
        from openpyxl.cell import WriteOnlyCell

        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet(title=f"{period:%Y-%m}")
        for index, width in enumerate((22, 12, 12, 16)):
            sheet.column_dimensions["ABCD"[index]].width = width
        sheet.append(HEADER)
        for values in _template_rows(employer):
            cells = []
            for value in values:
                cell = WriteOnlyCell(sheet, value=value)
                cell.number_format = "@"
                cells.append(cell)
            sheet.append(cells)
        output = io.BytesIO()
        workbook.save(output)
        return output.getvalue()
    raise ValueError(f"fmt must be {CSV!r} or {XLSX!r}, not {fmt!r}")
