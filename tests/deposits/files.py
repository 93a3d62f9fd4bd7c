"""Building list files in tests: csv in any encoding, xlsx written with openpyxl."""

import io

from openpyxl import Workbook

HEADER = ["身份证号", "姓名", "缴存基数", "个人账号"]


def csv_bytes(rows, *, header=HEADER, encoding="utf-8") -> bytes:
    lines = [",".join(header)] + [",".join(str(cell) for cell in row) for row in rows]
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


def xlsx_bytes(rows, *, header=HEADER) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(list(row))
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()
