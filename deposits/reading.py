"""Reading a monthly deposit list file (csv or xlsx) into raw rows, without judging their content.

CONTRACT.md "Monthly list files": a header row with ``身份证号,姓名,缴存基数`` and optionally
``个人账号`` (or ``id_number,name,base,account_no``), then one row per employee. Row numbers are
1-based data rows, the header being row 0, counted from the header so that row 5 is the fifth
line under it as the employer sees it (blank lines are skipped but keep their numbers).

What is decided here, and why:

- The size is checked before anything is parsed; an xlsx is a zip, so its uncompressed size is
  bounded too (``_MAX_UNZIP_RATIO``), before a single part is inflated.
- csv is decoded as UTF-8 with BOM, UTF-8, then GB18030 (a superset of GBK, which Excel writes
  on Chinese Windows); :attr:`ReadResult.encoding` says which one was used.
- xlsx values are read with python-calamine (fast, values only). Calamine returns a formula's
  cached value, or nothing when none was saved, so formulas are found in the sheet XML itself
  and refused: a list must carry the amounts the employer saw, not a recipe for them.
- Excel numbers arrive as floats. A base such as ``8000.0`` is turned into text through its
  shortest exact representation (``repr``) and never through float arithmetic, so a value that
  was not whole fen (``8000.123``) stays visibly over-precise and is refused later. An ID number
  stored as a number has already lost its last digits (Excel keeps 15 significant digits) and is
  refused here with a message that says how to fix the column.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.utils.translation import gettext_lazy as _

ID_NUMBER = "id_number"
NAME = "name"
BASE = "base"
ACCOUNT_NO = "account_no"
PERIOD = "period"
FILE = "file"

FILE_TOO_LARGE = "FILE_TOO_LARGE"
EMPTY_FILE = "EMPTY_FILE"
UNREADABLE_FILE = "UNREADABLE_FILE"
WRONG_COLUMNS = "WRONG_COLUMNS"
FORMULA_NOT_ALLOWED = "FORMULA_NOT_ALLOWED"
INVALID_ID_NUMBER = "INVALID_ID_NUMBER"

XLSX = "xlsx"
UTF8_BOM = "utf-8-sig"
UTF8 = "utf-8"
GB18030 = "gb18030"

#: Header text (Chinese or English, case and spaces ignored) → field.
HEADERS = {
    "身份证号": ID_NUMBER,
    "id_number": ID_NUMBER,
    "姓名": NAME,
    "name": NAME,
    "缴存基数": BASE,
    "base": BASE,
    "个人账号": ACCOUNT_NO,
    "account_no": ACCOUNT_NO,
}
REQUIRED = (ID_NUMBER, NAME, BASE)
_CHINESE_HEADER = {field_name: label for label, field_name in HEADERS.items() if not label.isascii()}
FIELDS = (ID_NUMBER, NAME, BASE, ACCOUNT_NO)

# Real lists compress about 5–10 times; anything inflating further is not a list (zip bomb).
_MAX_UNZIP_RATIO = 20
_ZIP_MAGIC = b"PK\x03\x04"
_SCIENTIFIC = re.compile(r"[0-9]+(\.[0-9]+)?[eE]\+?[0-9]+")
_FORMULA = re.compile(rb"<(?:\w+:)?f[\s/>]")
_CELL = re.compile(rb"<(?:\w+:)?c\b([^>]*?)(?:/>|>(.*?)</(?:\w+:)?c>)", re.S)
_CELL_REF = re.compile(rb'\br="([A-Z]+)([0-9]+)"')


@dataclass(frozen=True)
class RowError:
    """One problem: ``row`` 0 is the header or the whole file; ``field`` as CONTRACT.md lists them."""

    row: int
    field: str
    code: str
    message: str


@dataclass(frozen=True)
class RawRow:
    """One data row as text ("" for a blank cell or an absent optional column).

    ``unreadable`` names the fields whose cell was already refused while reading (a formula, an
    ID number stored as a number): validation reports nothing more about them and makes no line.
    """

    row_no: int
    id_number: str
    name: str
    base: str
    account_no: str
    unreadable: frozenset[str] = field(default_factory=frozenset)


@dataclass(frozen=True)
class ReadResult:
    rows: list[RawRow]
    errors: list[RowError]
    #: ``"xlsx"``, or the csv encoding used: ``"utf-8-sig"``, ``"utf-8"`` or ``"gb18030"``.
    encoding: str | None = None

    @property
    def file_ok(self) -> bool:
        return not any(error.field == FILE for error in self.errors)


def _file_error(code: str, message) -> ReadResult:
    return ReadResult(rows=[], errors=[RowError(row=0, field=FILE, code=code, message=str(message))])


def read_list(data: bytes, *, filename: str, max_bytes: int | None = None) -> ReadResult:
    """Read a monthly list file; see the module docstring. ``filename`` only labels messages."""
    limit = settings.DEPOSIT_LIST_MAX_BYTES if max_bytes is None else max_bytes
    if len(data) > limit:
        return _file_error(
            FILE_TOO_LARGE,
            _("The file %(filename)s is larger than %(limit_mb)s MB.")
            % {"filename": filename, "limit_mb": f"{limit / (1024 * 1024):g}"},
        )
    if not data.strip():
        return _file_error(EMPTY_FILE, _("The file %(filename)s is empty.") % {"filename": filename})
    if data.startswith(_ZIP_MAGIC):
        return _read_xlsx(data, filename=filename, limit=limit)
    return _read_csv(data, filename=filename)


# csv -----------------------------------------------------------------------------------------


def _decode(data: bytes) -> tuple[str, str] | None:
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return data.decode(UTF8_BOM), UTF8_BOM
        except UnicodeDecodeError:
            return None
    for encoding in (UTF8, GB18030):
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    return None


def _read_csv(data: bytes, *, filename: str) -> ReadResult:
    decoded = _decode(data)
    if decoded is None:
        return _file_error(
            UNREADABLE_FILE,
            _("The file %(filename)s is neither UTF-8 nor GBK text; save it as CSV UTF-8 or as xlsx.")
            % {"filename": filename},
        )
    text, encoding = decoded
    try:
        table = [[cell.strip() for cell in line] for line in csv.reader(io.StringIO(text, newline=""))]
    except csv.Error:
        return _file_error(
            UNREADABLE_FILE, _("The file %(filename)s is not a valid CSV file.") % {"filename": filename}
        )
    result = _rows_from_table(table, filename=filename, formulas={})
    return ReadResult(rows=result.rows, errors=result.errors, encoding=encoding)


# xlsx ----------------------------------------------------------------------------------------


def _column_index(letters: bytes) -> int:
    index = 0
    for letter in letters:
        index = index * 26 + (letter - ord("A") + 1)
    return index - 1


def _first_sheet_path(archive: zipfile.ZipFile) -> str | None:
    # The first <sheet> of workbook.xml is the sheet calamine reads at index 0; its r:id leads
    # through the workbook relationships to the part name.
    workbook = archive.read("xl/workbook.xml")
    sheet = re.search(rb"<(?:\w+:)?sheet\b[^>]*?\br:id=\"([^\"]+)\"", workbook)
    if sheet is None:
        return None
    rels = archive.read("xl/_rels/workbook.xml.rels")
    for relationship in re.finditer(rb"<Relationship\b[^>]*>", rels):
        tag = relationship.group(0)
        if re.search(rb'\bId="' + re.escape(sheet.group(1)) + rb'"', tag):
            target = re.search(rb'\bTarget="([^"]+)"', tag)
            if target is None:
                return None
            path = target.group(1).decode()
            return path.lstrip("/") if path.startswith("/") else f"xl/{path}"
    return None


def _formula_cells(archive: zipfile.ZipFile) -> dict[tuple[int, int], str]:
    """The (row, column) indexes, 0-based from A1, of the first sheet's cells holding a formula."""
    path = _first_sheet_path(archive)
    if path is None:
        return {}
    xml = archive.read(path)
    if not _FORMULA.search(xml):
        return {}
    cells = {}
    for cell in _CELL.finditer(xml):
        if cell.group(2) and _FORMULA.search(cell.group(2)):
            ref = _CELL_REF.search(cell.group(1))
            if ref:
                cells[(int(ref.group(2)) - 1, _column_index(ref.group(1)))] = (
                    ref.group(1) + ref.group(2)
                ).decode()
    return cells


def _read_xlsx(data: bytes, *, filename: str, limit: int) -> ReadResult:
    from python_calamine import CalamineWorkbook

    unreadable = _("The file %(filename)s is not a readable xlsx workbook.") % {"filename": filename}
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if sum(info.file_size for info in archive.infolist()) > limit * _MAX_UNZIP_RATIO:
                return _file_error(
                    FILE_TOO_LARGE,
                    _("The workbook %(filename)s unpacks to far more data than a list holds.")
                    % {"filename": filename},
                )
            formulas = _formula_cells(archive)
    except (zipfile.BadZipFile, KeyError, OSError, EOFError):
        return _file_error(UNREADABLE_FILE, unreadable)
    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
        table = workbook.get_sheet_by_index(0).to_python(skip_empty_area=False)
    except Exception:  # calamine raises its own error types for every kind of broken workbook
        return _file_error(UNREADABLE_FILE, unreadable)
    result = _rows_from_table(table, filename=filename, formulas=formulas)
    return ReadResult(rows=result.rows, errors=result.errors, encoding=XLSX)


# both ----------------------------------------------------------------------------------------


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _number_text(value: float | int) -> str:
    # repr is the shortest text that reads back as the same float: 8000.5 → "8000.5",
    # 8000.123 → "8000.123" (then refused as over-precise, never rounded).
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return str(int(value))
    return format(Decimal(repr(value)), "f") if isinstance(value, float) else str(value)


def _cell_text(value, field_name: str) -> tuple[str, RowError | None]:
    """The cell as text, or an error for a value that cannot be trusted in this column."""
    if _blank(value):
        return "", None
    if isinstance(value, bool):
        return str(value), None
    if isinstance(value, int | float):
        if field_name == ID_NUMBER:
            return "", _number_id_error()
        if field_name == ACCOUNT_NO and isinstance(value, float) and value.is_integer():
            return str(int(value)), None
        return _number_text(value), None
    text = str(value).strip()
    if field_name == ID_NUMBER and _SCIENTIFIC.fullmatch(text):
        return "", _number_id_error()
    return text, None


def _number_id_error() -> RowError:
    return RowError(
        row=0,
        field=ID_NUMBER,
        code=INVALID_ID_NUMBER,
        message=str(
            _(
                "The ID number was stored as a number and the spreadsheet has lost its last digits; "
                "format the column as text and enter the number again."
            )
        ),
    )


def _header_errors(header: list, filename: str) -> tuple[dict[str, int], list[RowError]]:
    columns: dict[str, int] = {}
    errors = []
    for index, cell in enumerate(header):
        if _blank(cell):
            continue
        label = re.sub(r"\s+", "", str(cell)).lstrip("\ufeff")
        field_name = HEADERS.get(label.lower())
        if field_name is None:
            errors.append(
                _(
                    "Unknown column %(column)s: "
                    "the columns are 身份证号, 姓名, 缴存基数 and optionally 个人账号."
                )
                % {"column": label}
            )
        elif field_name in columns:
            errors.append(_("The column %(column)s appears twice.") % {"column": label})
        else:
            columns[field_name] = index
    missing = [name for name in REQUIRED if name not in columns]
    if missing:
        errors.append(
            _(
                "The file %(filename)s lacks the columns %(columns)s: "
                "the header row must be 身份证号, 姓名, 缴存基数."
            )
            % {"filename": filename, "columns": "、".join(_CHINESE_HEADER[name] for name in missing)}
        )
    return columns, [
        RowError(row=0, field=FILE, code=WRONG_COLUMNS, message=str(message)) for message in errors
    ]


def _rows_from_table(table: list[list], *, filename: str, formulas: dict[tuple[int, int], str]) -> ReadResult:
    start = next((i for i, line in enumerate(table) if not all(_blank(cell) for cell in line)), None)
    if start is None:
        return _file_error(EMPTY_FILE, _("The file %(filename)s is empty.") % {"filename": filename})
    columns, errors = _header_errors(table[start], filename)
    if errors:
        return ReadResult(rows=[], errors=errors)
    rows = []
    for offset, line in enumerate(table[start + 1 :], start=1):
        sheet_row = start + offset
        values = {}
        unreadable = set()
        for field_name in FIELDS:
            index = columns.get(field_name)
            if index is None:
                values[field_name] = ""
                continue
            if (sheet_row, index) in formulas:
                unreadable.add(field_name)
                values[field_name] = ""
                errors.append(
                    RowError(
                        row=offset,
                        field=field_name,
                        code=FORMULA_NOT_ALLOWED,
                        message=str(
                            _("Cell %(cell)s holds a formula; enter the value itself.")
                            % {"cell": formulas[(sheet_row, index)]}
                        ),
                    )
                )
                continue
            value = line[index] if index < len(line) else None
            if type(value) is str and field_name != ID_NUMBER:
                # Text outside the ID column needs nothing but trimming (most cells of a list).
                values[field_name] = value.strip()
                continue
            text, error = _cell_text(value, field_name)
            if error is not None:
                unreadable.add(field_name)
                errors.append(RowError(row=offset, field=error.field, code=error.code, message=error.message))
            values[field_name] = text
        if not unreadable and not any(values.values()):
            continue
        rows.append(RawRow(row_no=offset, unreadable=frozenset(unreadable), **values))
    if not rows and not errors:
        return _file_error(
            EMPTY_FILE, _("The file %(filename)s has a header but no rows.") % {"filename": filename}
        )
    return ReadResult(rows=rows, errors=errors)
