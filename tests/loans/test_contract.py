"""The loan contract PDF says what was approved, shows the whole schedule and can be checked."""

from datetime import UTC, datetime
from decimal import Decimal

import pypdfium2 as pdfium

from loans.calculators import repayment_schedule
from loans.contract import ContractTerms, Party, loan_contract_pdf, yuan_text

SCHEDULE = repayment_schedule(
    principal=60_000_000,
    annual_rate=Decimal("0.026"),
    months=360,
    method="EQUAL_INSTALMENT",
    max_term_months=360,
)


def terms(**changes) -> ContractTerms:
    values = dict(
        contract_no="DK202611260042",
        borrower=Party("张三", "3502**********123X"),
        co_borrower=Party("李四", "3502**********4562"),
        property_kind="RESALE",
        property_ref="厦房权证 2026 第 000123 号",
        property_address="厦门市思明区某路 1 号 101 室",
        house_price=150_000_000,
        first_home=True,
        seller_name="王五",
        masked_seller_account="6222 **** **** 1234",
        schedule=SCHEDULE,
        repayment_day=20,
        approved_at=datetime(2026, 11, 24, 9, 30, tzinfo=UTC),
        seal_code="7KQ2M9XC4RTA",
        verify_url="https://gjj.example.gov.cn/seals/7KQ2M9XC4RTA",
    )
    values.update(changes)
    return ContractTerms(**values)


def texts(pdf: bytes) -> list[str]:
    document = pdfium.PdfDocument(pdf)
    try:
        return [document[index].get_textpage().get_text_range() for index in range(len(document))]
    finally:
        document.close()


def test_the_first_page_names_the_parties_masked_and_the_terms_approved():
    first = texts(loan_contract_pdf(terms()))[0]

    for expected in (
        "住房公积金借款合同",
        "张三（身份证号 3502**********123X）",
        "共同借款人",
        "600,000.00 元",
        "360 个月",
        "等额本息",
        "年利率 2.6%（月利率 2.1667‰）",
        "6222 **** **** 1234",
        "7KQ2M9XC4RTA",
    ):
        assert expected in first, expected


def test_the_schedule_lists_every_instalment_and_the_totals_agree_with_the_calculator():
    pages = texts(loan_contract_pdf(terms()))
    whole = "\n".join(pages)

    assert "还款计划表" in whole
    assert "2402.04" in whole and "2401.11" in whole  # the first and the last instalment
    assert (
        f"合计：还款 {yuan_text(SCHEDULE.total_payment)}，其中利息 {yuan_text(SCHEDULE.total_interest)}"
        in whole
    )
    assert yuan_text(SCHEDULE.total_interest) == "264,733.47 元"


def test_every_page_carries_the_contract_number_and_the_verification_code():
    pages = texts(loan_contract_pdf(terms()))

    assert len(pages) > 5
    assert all("合同编号 DK202611260042" in page and "验证码 7KQ2M9XC4RTA" in page for page in pages)


def test_before_signing_it_says_so_and_after_signing_it_names_when_and_before_whom():
    unsigned = texts(loan_contract_pdf(terms()))[0]
    signed = texts(
        loan_contract_pdf(terms(signed_at=datetime(2026, 11, 26, 10, 0, tzinfo=UTC), signed_before="clerk"))
    )[0]

    assert "待借款人到柜台签署" in unsigned
    assert "2026年11月26日，经办人 clerk" in signed


def test_a_single_borrower_contract_has_no_co_borrower_line():
    first = texts(loan_contract_pdf(terms(co_borrower=None)))[0]

    assert "共同借款人" not in first
