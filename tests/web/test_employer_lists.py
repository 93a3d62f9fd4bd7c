"""The employer's monthly list pages: upload, check, problems, maker-checker, collection, by role."""

import csv
import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from accounts.roles import EMPLOYEE, EMPLOYER_APPROVER, ensure_roles
from audit.models import AuditEvent
from deposits import services
from deposits.collection import advance_collection
from deposits.models import DepositList, ListKind, ListStatus
from integrations.bank import ports
from tests.accounts.factories import UserFactory
from tests.deposits.conftest import make_unit
from tests.deposits.files import csv_bytes, xlsx_bytes

pytestmark = pytest.mark.django_db

ENGLISH = {"accept-language": "en"}


@pytest.fixture
def unit(db):
    return make_unit("web")


def rows_of(accounts, *, base="8000.00"):
    return [(a.person.id_number, a.person.name, base, a.account_no) for a in accounts]


def upload(
    client, unit, content, *, filename="list.csv", kind=ListKind.MONTHLY, period="2026-10", headers=None
):
    client.force_login(unit.preparer)
    return client.post(
        reverse("web:employer-lists-upload"),
        {"kind": kind, "period": period, "file": SimpleUploadedFile(filename, content)},
        headers=headers,
    )


def uploaded(client, unit, content=None, **kwargs) -> DepositList:
    response = upload(client, unit, content or csv_bytes(rows_of(unit.accounts)), **kwargs)
    assert response.status_code == 302, response.content
    return DepositList.objects.filter(employer=unit.employer).latest("pk")


def act(client, user, deposit_list, action, **data):
    client.force_login(user)
    return client.post(reverse("web:employer-list-act", args=[deposit_list.pk, action]), data)


def page_of(client, user, deposit_list, **kwargs):
    client.force_login(user)
    return client.get(reverse("web:employer-list", args=[deposit_list.pk]), **kwargs)


def approved(client, unit, deposit_list, django_capture_on_commit_callbacks) -> DepositList:
    assert act(client, unit.preparer, deposit_list, "submit").status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        assert act(client, unit.approver, deposit_list, "approve").status_code == 302
    deposit_list.refresh_from_db()
    return deposit_list


class TestUpload:
    def test_of_a_valid_csv_shows_the_preview_with_its_totals(self, client, unit):
        response = upload(client, unit, csv_bytes(rows_of(unit.accounts)))

        deposit_list = DepositList.objects.get(employer=unit.employer)
        assert response.url == reverse("web:employer-list", args=[deposit_list.pk])
        page = client.get(response.url)
        # 8,000 yuan at 12% and 10%: 960.00 + 800.00 for each of three people.
        assert deposit_list.status == ListStatus.READY
        assert '<div class="value" id="total-rows">3</div>' in page.text
        assert '<div class="value" id="total-base">24,000.00</div>' in page.text
        assert '<div class="value" id="total-employer">2,880.00</div>' in page.text
        assert '<div class="value" id="total-employee">2,400.00</div>' in page.text
        assert '<div class="value" id="total-amount">5,280.00</div>' in page.text
        assert 'id="submit-list"' in page.text

    def test_shows_each_line_with_a_masked_id_number(self, client, unit):
        deposit_list = uploaded(client, unit)

        page = page_of(client, unit.preparer, deposit_list)

        person = unit.accounts[0].person
        assert person.masked_id_number in page.text
        assert person.id_number not in page.text
        assert person.name in page.text
        assert "1,760.00" in page.text

    @pytest.mark.parametrize(
        ("filename", "make"),
        [
            ("gbk.csv", lambda rows: csv_bytes(rows, encoding="gbk")),
            ("list.xlsx", lambda rows: xlsx_bytes([(i, n, "8000", a) for i, n, _b, a in rows])),
        ],
        ids=["gbk-csv", "xlsx"],
    )
    def test_reads_a_gbk_csv_and_an_xlsx_too(self, client, unit, filename, make):
        deposit_list = uploaded(client, unit, make(rows_of(unit.accounts)), filename=filename)

        page = page_of(client, unit.preparer, deposit_list)

        assert deposit_list.status == ListStatus.READY
        assert '<div class="value" id="total-amount">5,280.00</div>' in page.text

    def test_of_an_invalid_file_shows_every_problem_with_its_row_and_field(self, client, unit):
        rows = rows_of(unit.accounts)
        rows[1] = (rows[1][0], "王五", "8000.00", rows[1][3])
        rows[2] = (rows[2][0], rows[2][1], "100", rows[2][3])

        deposit_list = uploaded(client, unit, csv_bytes(rows))
        page = page_of(client, unit.preparer, deposit_list)

        assert deposit_list.status == ListStatus.INVALID
        assert '<span class="count" id="problem-count">2</span>' in page.text
        assert "NAME_MISMATCH" in page.text
        assert "BASE_BELOW_FLOOR" in page.text
        assert "<td>姓名</td>" in page.text
        assert "<td>缴存基数</td>" in page.text
        assert 'id="submit-list"' not in page.text
        assert 'id="report-xlsx"' in page.text

    def test_pages_through_many_problems(self, client, unit):
        rows = [(f"35020319900101{n:04d}", f"某{n}", "8000.00", "") for n in range(120)]

        deposit_list = uploaded(client, unit, csv_bytes(rows))
        first = page_of(client, unit.preparer, deposit_list)
        last = page_of(client, unit.preparer, deposit_list, data={"page": 3})

        assert deposit_list.error_count == 120
        assert "第 1 页，共 3 页" in first.text
        assert "第 3 页，共 3 页" in last.text
        assert '<tr><td class="num">120</td>' in last.text

    def test_of_a_file_over_the_limit_is_refused_with_a_problem_on_the_file(self, client, unit, settings):
        settings.DEPOSIT_LIST_MAX_BYTES = 100

        deposit_list = uploaded(client, unit, csv_bytes(rows_of(unit.accounts)))
        page = page_of(client, unit.preparer, deposit_list)

        assert deposit_list.status == ListStatus.INVALID
        assert list(deposit_list.errors.values_list("row", "field", "code")) == [
            (0, "file", "FILE_TOO_LARGE")
        ]
        assert "FILE_TOO_LARGE" in page.text
        assert "<td>文件</td>" in page.text

    def test_of_a_large_file_leaves_the_check_to_the_worker_and_shows_a_live_progress_bar(
        self, client, unit, settings
    ):
        settings.DEPOSIT_LIST_INLINE_BYTES = 10

        deposit_list = uploaded(client, unit, csv_bytes(rows_of(unit.accounts)))
        page = page_of(client, unit.preparer, deposit_list)

        assert deposit_list.status == ListStatus.RECEIVED
        assert "<progress" in page.text
        assert reverse("web:employer-list-progress", args=[deposit_list.pk]) in page.text
        assert "js/list_progress.js" in page.text
        assert '<meta http-equiv="refresh" content="5">' in page.text

    def test_of_a_large_file_is_ready_once_the_worker_checked_it(self, client, unit, settings):
        settings.DEPOSIT_LIST_INLINE_BYTES = 10
        deposit_list = uploaded(client, unit, csv_bytes(rows_of(unit.accounts)))

        services.check_list(list_id=deposit_list.pk)
        page = page_of(client, unit.preparer, deposit_list)

        assert "<progress" not in page.text
        assert '<div class="value" id="total-amount">5,280.00</div>' in page.text

    def test_form_proposes_the_month_of_the_next_monthly_list(self, client, unit):
        client.force_login(unit.preparer)

        page = client.get(reverse("web:employer-lists-upload"))

        assert 'name="period" value="2026-10"' in page.text

    def test_refuses_a_month_that_is_not_a_month_on_the_form(self, client, unit):
        response = upload(client, unit, csv_bytes(rows_of(unit.accounts)), period="October")

        assert response.status_code == 400
        assert "YYYY-MM" in response.text
        assert not DepositList.objects.exists()

    def test_by_the_approver_is_refused_with_a_message(self, client, unit):
        client.force_login(unit.approver)

        form = client.get(reverse("web:employer-lists-upload"))
        response = client.post(
            reverse("web:employer-lists-upload"),
            {
                "kind": "01",
                "period": "2026-10",
                "file": SimpleUploadedFile("l.csv", csv_bytes(rows_of(unit.accounts))),
            },
        )

        assert 'id="upload-submit"' not in form.text
        assert response.status_code == 403
        assert "只有单位经办人" in response.text
        assert not DepositList.objects.exists()


class TestProblemReport:
    def rows_with_problems(self, unit):
        rows = rows_of(unit.accounts)
        rows[1] = (rows[1][0], "王五", "8000.00", rows[1][3])
        rows[2] = (rows[2][0], rows[2][1], "100", rows[2][3])
        return rows

    def test_downloads_as_xlsx_with_a_row_per_problem(self, client, unit):
        deposit_list = uploaded(client, unit, csv_bytes(self.rows_with_problems(unit)))

        response = client.get(reverse("web:employer-list-problems", args=[deposit_list.pk, "xlsx"]))

        sheet = load_workbook(io.BytesIO(response.content)).active
        table = [tuple(row) for row in sheet.iter_rows(values_only=True)]
        assert response["Content-Type"].startswith("application/vnd.openxmlformats")
        assert "attachment" in response["Content-Disposition"]
        assert table[0] == ("行号", "字段", "代码", "问题")
        # The column as the file's header names it, so the clerk finds the cell to fix.
        assert [(row, field, code) for row, field, code, _message in table[1:]] == [
            (2, "姓名", "NAME_MISMATCH"),
            (3, "缴存基数", "BASE_BELOW_FLOOR"),
        ]

    def test_downloads_as_csv_with_a_row_per_problem(self, client, unit):
        deposit_list = uploaded(client, unit, csv_bytes(self.rows_with_problems(unit)))

        response = client.get(reverse("web:employer-list-problems", args=[deposit_list.pk, "csv"]))

        table = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
        assert response["Content-Type"].startswith("text/csv")
        assert [row[:3] for row in table] == [
            ["行号", "字段", "代码"],
            ["2", "姓名", "NAME_MISMATCH"],
            ["3", "缴存基数", "BASE_BELOW_FLOOR"],
        ]

    def test_of_a_list_without_problems_does_not_exist(self, client, unit):
        deposit_list = uploaded(client, unit)

        response = client.get(reverse("web:employer-list-problems", args=[deposit_list.pk, "csv"]))

        assert response.status_code == 404


class TestMakerChecker:
    def test_the_preparer_submits_the_approver_approves_and_the_bank_credits_every_account(
        self, client, unit, bank, django_capture_on_commit_callbacks
    ):
        deposit_list = uploaded(client, unit)

        deposit_list = approved(client, unit, deposit_list, django_capture_on_commit_callbacks)
        collecting = page_of(client, unit.approver, deposit_list)
        bank.settle(deposit_list.order_ref)
        advance_collection(list_id=deposit_list.pk)
        posted = page_of(client, unit.preparer, deposit_list)

        assert "<progress" in collecting.text
        assert "正在银行托收" in collecting.text
        assert DepositList.objects.get(pk=deposit_list.pk).status == ListStatus.POSTED
        assert 'id="posted"' in posted.text
        assert "名单上的每个账户均已入账" in posted.text
        assert "单位已缴至 2026-10" in posted.text

    def test_the_employee_sees_the_deposit_on_the_statement(
        self, client, unit, bank, django_capture_on_commit_callbacks
    ):
        person = unit.accounts[0].person
        person.user = UserFactory(username="web-employee")
        person.user.groups.add(ensure_roles()[EMPLOYEE])
        person.save(update_fields=["user"])
        deposit_list = approved(client, unit, uploaded(client, unit), django_capture_on_commit_callbacks)
        bank.settle(deposit_list.order_ref)
        advance_collection(list_id=deposit_list.pk)
        client.force_login(person.user)

        statement = client.get(reverse("web:hall-statement"))

        assert "<td>汇缴</td>" in statement.text
        assert '<td class="num">1,760.00</td>' in statement.text

    def test_the_approver_sees_no_submit_button_and_may_not_submit(self, client, unit):
        deposit_list = uploaded(client, unit)

        page = page_of(client, unit.approver, deposit_list)
        response = act(client, unit.approver, deposit_list, "submit")

        assert 'id="submit-list"' not in page.text
        assert 'id="discard-list"' not in page.text
        assert response.status_code == 403
        assert 'id="action-error"' in response.text
        assert "ROLE_REQUIRED" in response.text
        assert DepositList.objects.get(pk=deposit_list.pk).status == ListStatus.READY

    def test_the_preparer_sees_no_approve_button_and_may_not_approve(self, client, unit):
        deposit_list = uploaded(client, unit)
        act(client, unit.preparer, deposit_list, "submit")

        page = page_of(client, unit.preparer, deposit_list)
        response = act(client, unit.preparer, deposit_list, "approve")

        assert 'id="approve-list"' not in page.text
        assert 'id="return-list"' not in page.text
        assert 'id="waiting-note"' in page.text
        assert response.status_code == 403
        assert DepositList.objects.get(pk=deposit_list.pk).status == ListStatus.SUBMITTED

    def test_the_approver_sees_approve_and_return_on_a_submitted_list(self, client, unit):
        deposit_list = uploaded(client, unit)
        act(client, unit.preparer, deposit_list, "submit")

        page = page_of(client, unit.approver, deposit_list)

        assert 'id="approve-list"' in page.text
        assert 'id="return-list"' in page.text
        assert 'id="upload-list"' not in page.text

    def test_whoever_submitted_a_list_is_not_offered_to_approve_it(self, client, unit):
        unit.preparer.groups.add(ensure_roles()[EMPLOYER_APPROVER])
        deposit_list = uploaded(client, unit)
        act(client, unit.preparer, deposit_list, "submit")

        page = page_of(client, unit.preparer, deposit_list)
        response = act(client, unit.preparer, deposit_list, "approve")

        assert 'id="approve-list"' not in page.text
        assert "该清册由您提交" in page.text
        assert response.status_code == 403
        assert "SAME_OPERATOR" in response.text

    def test_the_approver_returns_a_list_with_a_reason_the_preparer_reads(self, client, unit):
        deposit_list = uploaded(client, unit)
        act(client, unit.preparer, deposit_list, "submit")

        response = act(client, unit.approver, deposit_list, "return", reason="张三的基数未调整")
        page = page_of(client, unit.preparer, deposit_list)

        assert response.status_code == 302
        assert DepositList.objects.get(pk=deposit_list.pk).status == ListStatus.RETURNED
        assert "张三的基数未调整" in page.text
        assert 'id="upload-again"' in page.text

    def test_returning_without_a_reason_is_refused_on_the_page(self, client, unit):
        deposit_list = uploaded(client, unit)
        act(client, unit.preparer, deposit_list, "submit")

        response = act(client, unit.approver, deposit_list, "return", reason="  ")

        assert response.status_code == 400
        assert 'id="action-error"' in response.text
        assert DepositList.objects.get(pk=deposit_list.pk).status == ListStatus.SUBMITTED

    def test_a_second_submit_of_the_same_list_is_a_message_not_an_error(self, client, unit):
        deposit_list = uploaded(client, unit)
        act(client, unit.preparer, deposit_list, "submit")

        response = act(client, unit.preparer, deposit_list, "submit")

        assert response.status_code == 409
        assert "LIST_STATE" in response.text

    def test_the_preparer_discards_a_list(self, client, unit):
        deposit_list = uploaded(client, unit)

        response = act(client, unit.preparer, deposit_list, "discard")

        assert response.status_code == 302
        assert DepositList.objects.get(pk=deposit_list.pk).status == ListStatus.DISCARDED

    def test_an_action_is_only_a_post(self, client, unit):
        deposit_list = uploaded(client, unit)

        response = client.get(reverse("web:employer-list-act", args=[deposit_list.pk, "submit"]))

        assert response.status_code == 405


class TestFailedCollection:
    @pytest.fixture
    def failed(self, client, unit, bank, django_capture_on_commit_callbacks):
        deposit_list = approved(client, unit, uploaded(client, unit), django_capture_on_commit_callbacks)
        bank.settle(deposit_list.order_ref, failure_code=ports.INSUFFICIENT_FUNDS)
        advance_collection(list_id=deposit_list.pk)
        return deposit_list

    def test_says_why_in_words_and_offers_the_approver_to_collect_again(self, client, unit, failed):
        page = page_of(client, unit.approver, failed)

        assert "单位银行账户余额不足" in page.text
        assert 'id="retry-collection"' in page.text
        assert 'id="return-list"' in page.text

    def test_offers_the_preparer_no_button(self, client, unit, failed):
        page = page_of(client, unit.preparer, failed)

        assert "单位银行账户余额不足" in page.text
        assert 'id="retry-collection"' not in page.text

    def test_shows_the_reason_on_the_lists_page(self, client, unit, failed):
        client.force_login(unit.preparer)

        page = client.get(reverse("web:employer-lists"))

        assert "收款失败" in page.text
        assert "单位银行账户余额不足" in page.text

    def test_is_collected_again_when_the_approver_asks(
        self, client, unit, bank, failed, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            response = act(client, unit.approver, failed, "retry")
        failed.refresh_from_db()
        bank.settle(failed.order_ref)
        advance_collection(list_id=failed.pk)

        assert response.status_code == 302
        assert failed.collection_attempt == 2
        assert DepositList.objects.get(pk=failed.pk).status == ListStatus.POSTED


class TestListsPage:
    def test_shows_the_paid_up_month_and_the_month_of_the_next_list(self, client, unit):
        client.force_login(unit.preparer)

        page = client.get(reverse("web:employer-lists"))

        assert '<div class="value" id="paid-up-to">2026-09</div>' in page.text
        assert '<div class="value" id="next-period">2026-10</div>' in page.text
        assert 'id="upload-list"' in page.text

    def test_lists_the_units_lists_newest_first_with_rows_amount_and_who(self, client, unit):
        older = uploaded(client, unit)
        newer = uploaded(client, unit, csv_bytes(rows_of(unit.accounts, base="1")))
        act(client, unit.preparer, older, "submit")
        client.force_login(unit.approver)

        page = client.get(reverse("web:employer-lists"))

        text = page.text
        newer_at = text.index(reverse("web:employer-list", args=[newer.pk]))
        older_at = text.index(reverse("web:employer-list", args=[older.pk]))
        assert newer_at < older_at
        assert "5,280.00" in text
        assert "待审核" in text and "有错误" in text
        assert "提交人 web-preparer" in text
        assert 'id="upload-list"' not in text

    def test_pages_through_many_lists(self, client, unit):
        for _attempt in range(21):
            services.upload_list(
                employer=unit.employer,
                kind=ListKind.MONTHLY,
                period=unit.employer.paid_up_to.replace(month=10),
                filename="l.csv",
                content=b"x",
                actor=unit.preparer,
            )
        client.force_login(unit.preparer)

        second = client.get(reverse("web:employer-lists"), {"page": 2})

        assert "第 2 页，共 2 页" in second.text
        assert second.text.count('<td data-label="清册">') == 1

    def test_shows_the_home_page_entry(self, client, unit):
        client.force_login(unit.preparer)

        home = client.get(reverse("web:employer-home"))

        assert reverse("web:employer-lists") in home.text


class TestTemplateDownload:
    def test_gives_the_next_months_list_prefilled_as_xlsx_and_records_it(self, client, unit):
        client.force_login(unit.preparer)

        response = client.get(reverse("web:employer-lists-template"))

        sheet = load_workbook(io.BytesIO(response.content)).active
        assert sheet.title == "2026-10"
        assert sheet.max_row == 1 + len(unit.accounts)
        assert "attachment" in response["Content-Disposition"]
        assert AuditEvent.objects.filter(action="deposits.template_downloaded").count() == 1

    def test_gives_a_csv_for_the_month_asked(self, client, unit):
        client.force_login(unit.approver)

        response = client.get(reverse("web:employer-lists-template"), {"format": "csv", "period": "2026-10"})

        text = response.content.decode("utf-8-sig")
        assert response["Content-Type"].startswith("text/csv")
        assert text.splitlines()[0] == "身份证号,姓名,缴存基数,个人账号"
        assert unit.accounts[0].person.id_number in text

    def test_that_uploads_back_as_a_ready_list(self, client, unit):
        client.force_login(unit.preparer)
        template = client.get(reverse("web:employer-lists-template")).content

        deposit_list = uploaded(client, unit, template, filename="template.xlsx")

        assert deposit_list.status == ListStatus.READY

    def test_of_an_unknown_format_does_not_exist(self, client, unit):
        client.force_login(unit.preparer)

        response = client.get(reverse("web:employer-lists-template"), {"format": "pdf"})

        assert response.status_code == 404


class TestProgress:
    def test_answers_json_with_the_rows_checked(self, client, unit, settings):
        settings.DEPOSIT_LIST_INLINE_BYTES = 10
        deposit_list = uploaded(client, unit)
        DepositList.objects.filter(pk=deposit_list.pk).update(
            status=ListStatus.CHECKING, rows_total=30000, rows_checked=12000
        )

        response = client.get(reverse("web:employer-list-progress", args=[deposit_list.pk]))

        assert response["Content-Type"] == "application/json"
        assert "no-cache" in response["Cache-Control"]
        assert json.loads(response.content) == {
            "status": "CHECKING",
            "status_label": "校验中",
            "rows_total": 30000,
            "rows_checked": 12000,
            "percent": 40,
            "moving": True,
        }

    def test_says_a_checked_list_no_longer_moves(self, client, unit):
        deposit_list = uploaded(client, unit)

        response = client.get(reverse("web:employer-list-progress", args=[deposit_list.pk]))

        assert json.loads(response.content)["moving"] is False


class TestAccess:
    @pytest.mark.parametrize(
        ("name", "args", "method"),
        [
            ("web:employer-list", [], "get"),
            ("web:employer-list-progress", [], "get"),
            ("web:employer-list-problems", ["csv"], "get"),
            ("web:employer-list-act", ["discard"], "post"),
        ],
    )
    def test_another_units_list_is_not_found(self, client, unit, name, args, method):
        deposit_list = uploaded(client, unit)
        other = make_unit("other")
        client.force_login(other.preparer)

        response = getattr(client, method)(reverse(name, args=[deposit_list.pk, *args]))

        assert response.status_code == 404
        assert DepositList.objects.get(pk=deposit_list.pk).status == ListStatus.READY

    def test_an_employee_may_not_see_the_lists(self, client, employee):
        client.force_login(employee)

        response = client.get(reverse("web:employer-lists"))

        assert response.status_code == 403

    def test_a_visitor_is_sent_to_log_in(self, client):
        response = client.get(reverse("web:employer-lists"))

        assert response.status_code == 302
        assert reverse("web:login") in response.url


class TestLanguages:
    def test_the_list_page_is_in_chinese_by_default(self, client, unit):
        deposit_list = uploaded(client, unit)

        page = page_of(client, unit.preparer, deposit_list)

        assert '<html lang="zh-hans">' in page.text
        assert "汇缴清册" in page.text
        assert "待提交" in page.text
        assert "提交审核" in page.text

    def test_the_list_page_is_in_english_when_asked(self, client, unit):
        deposit_list = uploaded(client, unit)

        page = page_of(client, unit.preparer, deposit_list, headers=ENGLISH)

        assert '<html lang="en">' in page.text
        assert "Monthly list" in page.text
        assert "Ready to submit" in page.text
        assert "Submit for approval" in page.text

    @pytest.mark.parametrize("name", ["web:employer-lists", "web:employer-lists-upload"])
    def test_the_other_pages_render_in_both_languages(self, client, unit, name):
        client.force_login(unit.preparer)

        chinese = client.get(reverse(name))
        english = client.get(reverse(name), headers=ENGLISH)

        assert chinese.status_code == english.status_code == 200
        assert "上传清册" in chinese.text
        assert "Upload a list" in english.text

    def test_problems_read_in_the_uploaders_language(self, client, unit):
        rows = rows_of(unit.accounts)
        rows[0] = (rows[0][0], "王五", "8000.00", rows[0][3])

        deposit_list = uploaded(client, unit, csv_bytes(rows), headers=ENGLISH)
        page = page_of(client, unit.preparer, deposit_list, headers=ENGLISH)

        assert "does not match the name on record" in page.text
        assert "<td>Full name</td>" in page.text
