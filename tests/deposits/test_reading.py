"""Reading monthly list files: encodings, xlsx cells, headers, and the files refused whole."""

import io
import zipfile

import pytest
from openpyxl import Workbook

from deposits.reading import RawRow, read_list
from tests.accounts.factories import resident_id
from tests.deposits.files import HEADER, csv_bytes, xlsx_bytes

ROWS = [
    (resident_id(1), "张三", "8000.00", "350200000018"),
    (resident_id(2), "李四·买买提", "12345.67", ""),
]
EXPECTED = [
    RawRow(row_no=1, id_number=resident_id(1), name="张三", base="8000.00", account_no="350200000018"),
    RawRow(row_no=2, id_number=resident_id(2), name="李四·买买提", base="12345.67", account_no=""),
]


def codes(result):
    return [(error.row, error.field, error.code) for error in result.errors]


class TestReadListEncodings:
    @pytest.mark.parametrize(
        ("encoding", "reported"), [("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"), ("gbk", "gb18030")]
    )
    def test_reads_the_same_rows_from_each_csv_encoding(self, encoding, reported):
        data = csv_bytes(ROWS, encoding=encoding)

        result = read_list(data, filename="list.csv")

        assert (result.rows, result.errors, result.encoding) == (EXPECTED, [], reported)

    def test_reads_the_same_rows_from_an_xlsx(self):
        data = xlsx_bytes(ROWS)

        result = read_list(data, filename="list.xlsx")

        assert (result.rows, result.errors, result.encoding) == (EXPECTED, [], "xlsx")

    def test_accepts_english_headers_in_any_order_without_the_account_column(self):
        data = csv_bytes([("张三", "8000", resident_id(1))], header=["Name", "base", " id_number "])

        result = read_list(data, filename="list.csv")

        assert result.rows == [RawRow(1, resident_id(1), "张三", "8000", "")]

    def test_skips_blank_lines_but_keeps_their_row_numbers(self):
        data = csv_bytes([ROWS[0], ("", "", "", ""), ROWS[1]])

        result = read_list(data, filename="list.csv")

        assert [row.row_no for row in result.rows] == [1, 3]


class TestReadListXlsxCells:
    def test_turns_whole_and_decimal_numbers_into_exact_text(self):
        data = xlsx_bytes(
            [(resident_id(1), "张三", 8000, 350200000018), (resident_id(2), "李四", 8000.5, None)]
        )

        result = read_list(data, filename="list.xlsx")

        assert [(row.base, row.account_no) for row in result.rows] == [
            ("8000", "350200000018"),
            ("8000.5", ""),
        ]

    def test_keeps_an_over_precise_number_visibly_over_precise(self):
        data = xlsx_bytes([(resident_id(1), "张三", 8000.123, None)])

        result = read_list(data, filename="list.xlsx")

        assert result.rows[0].base == "8000.123"

    def test_refuses_an_id_number_stored_as_a_number(self):
        data = xlsx_bytes([(int(resident_id(1)[:17] + "1"), "张三", "8000", None)])

        result = read_list(data, filename="list.xlsx")

        assert codes(result) == [(1, "id_number", "INVALID_ID_NUMBER")]
        assert "存成了数字" in result.errors[0].message
        assert result.rows[0].unreadable == {"id_number"}

    def test_refuses_an_id_number_exported_to_csv_in_scientific_notation(self):
        data = csv_bytes([("3.50203E+17", "张三", "8000", "")])

        result = read_list(data, filename="list.csv")

        assert codes(result) == [(1, "id_number", "INVALID_ID_NUMBER")]

    def test_refuses_formulas_with_their_row_field_and_cell(self):
        data = xlsx_bytes([ROWS[0], (resident_id(2), "李四", "=4000*2", None)])

        result = read_list(data, filename="list.xlsx")

        assert codes(result) == [(2, "base", "FORMULA_NOT_ALLOWED")]
        assert "C3" in result.errors[0].message
        assert result.rows[1].unreadable == {"base"}

    def test_finds_formulas_below_a_header_that_does_not_start_in_the_first_row(self):
        workbook = Workbook()
        sheet = workbook.active
        sheet.append([])
        sheet.append(HEADER)
        sheet.append([resident_id(1), '=CONCAT("张","三")', "8000", None])
        output = io.BytesIO()
        workbook.save(output)

        result = read_list(output.getvalue(), filename="list.xlsx")

        assert codes(result) == [(1, "name", "FORMULA_NOT_ALLOWED")]


class TestReadListRefusedFiles:
    def test_refuses_a_file_too_large_before_parsing_it(self, monkeypatch):
        def must_not_parse(*args, **kwargs):
            raise AssertionError("parsed an oversized file")

        monkeypatch.setattr("deposits.reading._read_csv", must_not_parse)
        monkeypatch.setattr("deposits.reading._read_xlsx", must_not_parse)

        result = read_list(csv_bytes(ROWS), filename="list.csv", max_bytes=100)

        assert codes(result) == [(0, "file", "FILE_TOO_LARGE")]

    def test_takes_the_size_limit_from_settings(self, settings):
        settings.DEPOSIT_LIST_MAX_BYTES = 10

        result = read_list(xlsx_bytes(ROWS), filename="list.xlsx")

        assert codes(result) == [(0, "file", "FILE_TOO_LARGE")]

    def test_refuses_an_xlsx_that_unpacks_to_far_more_than_its_size(self):
        output = io.BytesIO()
        with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("xl/worksheets/sheet1.xml", b"\0" * 5_000_000)

        result = read_list(output.getvalue(), filename="bomb.xlsx", max_bytes=100_000)

        assert codes(result) == [(0, "file", "FILE_TOO_LARGE")]

    @pytest.mark.parametrize("data", [b"", b"  \r\n", "身份证号,姓名,缴存基数\r\n".encode()])
    def test_refuses_an_empty_file(self, data):
        result = read_list(data, filename="list.csv")

        assert codes(result) == [(0, "file", "EMPTY_FILE")]

    def test_refuses_missing_columns(self):
        data = csv_bytes([(resident_id(1), "张三")], header=["身份证号", "姓名"])

        result = read_list(data, filename="list.csv")

        assert codes(result) == [(0, "file", "WRONG_COLUMNS")]
        assert result.rows == []

    def test_refuses_unknown_and_repeated_columns(self):
        data = csv_bytes([], header=["身份证号", "姓名", "缴存基数", "工资", "name"])

        result = read_list(data, filename="list.csv")

        assert codes(result) == [(0, "file", "WRONG_COLUMNS")] * 2

    def test_refuses_a_broken_workbook(self):
        result = read_list(b"PK\x03\x04 not really a zip", filename="list.xlsx")

        assert codes(result) == [(0, "file", "UNREADABLE_FILE")]

    def test_refuses_bytes_that_are_not_text(self):
        result = read_list(b"\x81\x30\xff\xfe\x00", filename="list.csv")

        assert codes(result) == [(0, "file", "UNREADABLE_FILE")]
