"""Journey (b): a unit's preparer uploads the monthly list as a GBK csv with mistakes in it, reads
the problem report, fixes the file and uploads it again; the unit's approver approves, the bank
collects, and an employee of the unit finds the deposit in their statement — on a phone, in each
language.

The list is made the way a clerk makes it: from the pre-filled template the portal offers, edited
and saved as GBK, the encoding Excel writes on Chinese Windows.
"""

from __future__ import annotations

import csv
import io
import re

STATUS = {
    "invalid": {"zh-hans": "有错误", "en": "Has errors"},
    "ready": {"zh-hans": "待提交", "en": "Ready to submit"},
    "submitted": {"zh-hans": "待审核", "en": "Awaiting approval"},
    "posted": {"zh-hans": "已入账", "en": "Credited"},
}
MONTHLY_DEPOSIT = {"zh-hans": "汇缴", "en": "Monthly deposit"}
# The problem report's column of the ID number and of the base (in Chinese, the file's own headers).
COLUMNS = {"zh-hans": ("身份证号", "缴存基数"), "en": ("ID number", "Deposit base")}
GBK_FORMAT = "csv (GBK)"
# The worker sends the order after commit and the sandbox bank answers a moment later; the
# minute beat asks the bank again if that answer was missed.
COLLECTION_SECONDS = 150
DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
# A new hire the clerk typed in before the centre opened an account for them: a well-formed ID
# number (its check digit is right) that belongs to nobody in the city.
NEW_HIRE_ID_FIRST17, NEW_HIRE_NAME = "35020319990909987", "郑新来"
# ISO 7064 MOD 11-2, the resident ID number's check digit.
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"


def check_digit(first17: str) -> str:
    return _CHECK[sum(int(digit) * weight for digit, weight in zip(first17, _WEIGHTS, strict=True)) % 11]


def with_wrong_check_digit(id_number: str) -> str:
    right = check_digit(id_number[:17])
    return id_number[:17] + next(digit for digit in "0123456789" if digit != right)


def read_csv(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def write_gbk(path, rows: list[list[str]]) -> None:
    with open(path, "w", encoding="gbk", newline="") as file:
        csv.writer(file, lineterminator="\r\n").writerows(rows)


def download(visitor, selector: str) -> tuple[str, bytes]:
    with visitor.page.expect_download() as started:
        visitor.page.click(selector)
    done = started.value
    return done.suggested_filename, done.path().read_bytes()


def open_lists(visitor) -> None:
    """The unit's lists, through the tab or the list page's way back."""
    visitor.page.locator("main a[href='/employer/lists/']").first.click()
    visitor.check()


def upload(visitor, path, *, period: str) -> None:
    """From the lists page, upload a file as the month's list and land on the checked list."""
    page = visitor.page
    page.click("#upload-list")
    visitor.check()
    assert page.is_checked("input[name=kind][value='01']"), "the upload does not start as a monthly list"
    assert page.input_value("#id_period") == period, "the upload page offers another month"
    page.set_input_files("#id_file", str(path))
    page.click("#upload-submit")
    page.wait_for_selector("#list-status")
    visitor.check()
    assert visitor.path() != "/employer/lists/upload/", page.inner_text("main")[:1500]


def fen(yuan: str) -> int:
    """ "27,493.44" → 2749344: the pages' amounts, compared exactly."""
    whole, _dot, cents = yuan.strip().replace(",", "").partition(".")
    return int(whole) * 100 + (-1 if whole.startswith("-") else 1) * int(cents or 0)


def monthly_deposits(visitor, language: str) -> list[tuple[str, str]]:
    """The statement's 汇缴 movements as (day, amount)."""
    rows = (row.locator("td").all_inner_texts() for row in visitor.page.locator("#movements tbody tr").all())
    label = MONTHLY_DEPOSIT[language]
    return [(cells[0].strip(), cells[2].strip()) for cells in rows if cells[1].strip() == label]


def status_is(visitor, state: str) -> bool:
    return visitor.page.locator(f"#list-status.status-{state}").count() == 1


def line_amount(visitor, name: str, id_number: str) -> str:
    """The amount of one employee's line, paging through the list's lines as the clerk would."""
    page = visitor.page
    masked_tail = id_number[-4:]
    while True:
        for row in page.locator("#lines tbody tr").all():
            cells = row.locator("td").all_inner_texts()
            if name in cells[1] and cells[1].strip().endswith(masked_tail):
                return cells[-1].strip()
        following = page.locator("#lines a[rel=next]")
        if following.count() == 0:
            raise AssertionError(f"no line for {name} in the list")
        following.click()
        visitor.check()


def test_deposits(visitors, city, language, tmp_path):
    preparer_login = city.login(role="employer_preparer")
    unit = preparer_login["employer"]
    preparer = visitors("preparer")
    page = preparer.page
    preparer.login(preparer_login)

    # The lists page says which month the next list pays and offers the unit's staff as a template.
    open_lists(preparer)
    period = page.inner_text("#next-period").strip()
    assert re.fullmatch(r"\d{4}-\d{2}", period), "the unit has no month to declare"
    assert page.input_value("#template-period") == period
    filename, data = download(preparer, "#download-csv")
    assert filename.endswith(f"{period}.csv")
    header, *staff = read_csv(data)
    assert header == ["身份证号", "姓名", "缴存基数", "个人账号"]
    assert len(staff) >= 5, f"the template lists {len(staff)} employees"
    on_list = {row[0] for row in staff}
    employee_login = next(
        login
        for login in city.logins
        if login["role"] == "employee" and login["employer"] == unit and login["username"] in on_list
    )

    # An employee of the unit looks at their statement before payday.
    employee = visitors("employee")
    employee.login(employee_login)
    employee.page.click("#nav-statement")
    employee.page.wait_for_load_state()
    employee.check()
    balance_before = fen(employee.page.inner_text("#closing-balance"))
    deposits_before = monthly_deposits(employee, language)

    # First try: a mistyped ID number, a base with three decimals and a new hire without an account.
    broken = [list(row) for row in staff]
    bad_id_row, bad_base_row = [i for i, row in enumerate(broken) if row[0] != employee_login["username"]][:2]
    broken[bad_id_row][0] = with_wrong_check_digit(broken[bad_id_row][0])
    broken[bad_base_row][2] = broken[bad_base_row][2] + "5"
    new_hire_id = NEW_HIRE_ID_FIRST17 + check_digit(NEW_HIRE_ID_FIRST17)
    broken.append([new_hire_id, NEW_HIRE_NAME, "5000.00", ""])
    first_try = tmp_path / f"{unit}-{period}.csv"
    write_gbk(first_try, [header, *broken])
    upload(preparer, first_try, period=period)
    assert status_is(preparer, "invalid"), page.inner_text("main")[:1500]
    assert STATUS["invalid"][language] in page.inner_text("#list-status")
    assert GBK_FORMAT in page.inner_text("main"), "the GBK file was not read as GBK"
    assert page.inner_text("#problem-count").strip() == "3"
    shown = page.locator("#problems tbody tr td:first-child").all_inner_texts()
    assert sorted(int(row) for row in shown) == [bad_id_row + 1, bad_base_row + 1, len(broken)]

    # The problem report names every bad row, its column and what is wrong.
    filename, data = download(preparer, "#report-csv")
    assert filename.endswith(".csv")
    _report_header, *problems = read_csv(data)
    found = {(int(row), field, code) for row, field, code, _message in problems}
    id_column, base_column = COLUMNS[language]
    assert found == {
        (bad_id_row + 1, id_column, "INVALID_ID_NUMBER"),
        (bad_base_row + 1, base_column, "INVALID_AMOUNT"),
        (len(broken), id_column, "UNKNOWN_PERSON"),
    }, problems
    # ...in the reader's language, as the page says it.
    for _row, _field, _code, message in problems:
        assert message in page.inner_text("#problems"), f"the report's {message!r} is not on the page"

    # Second try: the ID number and the base as they were, the new hire left for next month.
    fixed = tmp_path / f"{unit}-{period}-fixed.csv"
    write_gbk(fixed, [header, *staff])
    open_lists(preparer)
    upload(preparer, fixed, period=period)
    assert status_is(preparer, "ready"), page.inner_text("main")[:1500]
    assert STATUS["ready"][language] in page.inner_text("#list-status")
    assert page.inner_text("#total-rows").strip() == str(len(staff))
    list_path = preparer.path()
    amount = line_amount(preparer, employee_login["name"], employee_login["username"])
    preparer.open(list_path)
    page.click("#submit-list")
    page.wait_for_load_state()
    preparer.check()
    assert status_is(preparer, "submitted")
    assert STATUS["submitted"][language] in page.inner_text("#list-status")
    assert page.locator("#approve-list").count() == 0, "the preparer could approve their own list"

    # The approver, on a phone of their own, approves; the bank collects through the worker.
    approver = visitors("approver")
    approver.login(city.login(role="employer_approver"))
    open_lists(approver)
    approver.page.click(f"#lists a[href='{list_path}']")
    approver.check()
    approver.page.click("#approve-list")
    approver.page.wait_for_load_state()
    approver.check()
    # The page follows the collection by itself and shows the bank's answer in place.
    approver.page.wait_for_selector("#list-status.status-posted", timeout=COLLECTION_SECONDS * 1000)
    approver.check()
    assert STATUS["posted"][language] in approver.page.inner_text("#list-status")
    assert approver.page.inner_text("#total-rows").strip() == str(len(staff))
    settled_on = DAY.search(approver.page.inner_text("#posted")).group(0)
    approver.finish()

    # The preparer sees the list credited and the unit paid up to the month.
    preparer.reload_until(lambda p: status_is(preparer, "posted"), seconds=10)
    assert period in page.inner_text("#posted")
    preparer.finish()

    # The employee's statement has one deposit more: this list's, on the day the bank confirmed it.
    employee.page.reload()
    employee.check()
    new = monthly_deposits(employee, language)
    for seen in deposits_before:
        new.remove(seen)
    assert new == [(settled_on, amount)], f"new deposits in the statement: {new}, expected {amount}"
    assert fen(employee.page.inner_text("#closing-balance")) == balance_before + fen(amount)
    employee.finish()
