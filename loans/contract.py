"""The loan contract (住房公积金借款合同) as a Chinese PDF with its full repayment schedule.

:func:`loan_contract_pdf` lays out :class:`ContractTerms` — plain values the caller has
already masked where the law asks (the ID numbers, the seller's account) — so the document says
nothing the case does not, and tests can build one without a database. The approval seal's
verification code is printed on every page and as a QR code: whoever holds the paper can check
at the address printed that the loan was approved and by whom (``audit.seals``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from core.money import Fen, format_yuan
from core.pdf import ChineseDocument, Column, yuan_text
from loans.calculators import Schedule, percent_text

METHOD_NAMES = {"EQUAL_INSTALMENT": "等额本息", "EQUAL_PRINCIPAL": "等额本金"}
PROPERTY_KIND_NAMES = {"NEW": "新建商品房", "RESALE": "二手房"}


@dataclass(frozen=True)
class Party:
    name: str
    masked_id_number: str


@dataclass(frozen=True)
class ContractTerms:
    contract_no: str
    borrower: Party
    co_borrower: Party | None
    property_kind: str
    property_ref: str
    property_address: str
    house_price: Fen
    first_home: bool
    seller_name: str
    masked_seller_account: str
    schedule: Schedule
    repayment_day: int
    approved_at: datetime
    seal_code: str
    verify_url: str
    signed_at: datetime | None = None
    signed_before: str = ""


def _rate_text(rate: Decimal) -> str:
    # Contracts state the monthly rate in per mille to four places, as banks print it.
    monthly = (rate * 1000 / 12).quantize(Decimal("0.0001"))
    return f"年利率 {percent_text(rate)}%（月利率 {monthly}‰）"


def _day(moment: datetime | date) -> str:
    return f"{moment.year}年{moment.month}月{moment.day}日"


def loan_contract_pdf(terms: ContractTerms) -> bytes:
    schedule = terms.schedule
    document = ChineseDocument(
        title="住房公积金借款合同", footer_note=f"合同编号 {terms.contract_no}  验证码 {terms.seal_code}"
    )
    document.title_block("住房公积金借款合同", subtitle=f"合同编号 {terms.contract_no}")

    document.section("一、当事人")
    parties = [("贷款人", "住房公积金管理中心（委托银行发放）"), ("借款人", _party(terms.borrower))]
    if terms.co_borrower is not None:
        parties.append(("共同借款人", _party(terms.co_borrower)))
    document.fields(parties)

    document.section("二、所购住房")
    document.fields(
        [
            ("房屋类型", PROPERTY_KIND_NAMES.get(terms.property_kind, terms.property_kind)),
            ("合同或产权证号", terms.property_ref),
            ("房屋地址", terms.property_address or "以不动产登记备案为准"),
            ("成交价格", yuan_text(terms.house_price)),
            ("住房套数认定", "首套住房" if terms.first_home else "第二套住房"),
            ("售房人", terms.seller_name),
            ("售房人收款账户", terms.masked_seller_account),
        ]
    )

    document.section("三、借款金额、期限、利率与还款方式")
    document.fields(
        [
            ("借款金额", yuan_text(schedule.principal)),
            ("借款期限", f"{schedule.months} 个月"),
            ("贷款利率", _rate_text(schedule.annual_rate)),
            ("还款方式", METHOD_NAMES.get(schedule.method, schedule.method)),
            ("还款日", f"放款次月起每月 {terms.repayment_day} 日"),
            ("还款总额", yuan_text(schedule.total_payment)),
            ("利息总额", yuan_text(schedule.total_interest)),
        ]
    )
    document.paragraph(
        "借款发放至售房人上述账户即视为借款人已收到借款。贷款期间遇国家调整住房公积金贷款利率的，"
        "自次年1月1日起按调整后的利率执行。借款人可申请部分或全部提前还款；逾期未还的，"
        "按逾期金额和日利率（年利率÷360）的1.5倍按日计收罚息。"
    )

    document.section("四、审批与签署")
    signing = (
        f"{_day(terms.signed_at)}，经办人 {terms.signed_before}"
        if terms.signed_at is not None
        else "待借款人到柜台签署"
    )
    top = document.get_y()
    document.fields(
        [
            ("终审批准", f"{_day(terms.approved_at)}，电子审批章验证码 {terms.seal_code}"),
            ("合同签署", signing),
            ("核验地址", terms.verify_url),
        ]
    )
    # Beside the approval lines, so a phone pointed at the page finds them together.
    document.qr_code(terms.verify_url, size_mm=24, y=top)
    document.set_y(max(document.get_y(), top + 26))

    document.add_page()  # the schedule is an annex: it starts on its own page
    document.section("附件：还款计划表")
    document.table(
        [
            Column("期次", 16, "C"),
            Column("还款额（元）", 40, "R"),
            Column("本金（元）", 40, "R"),
            Column("利息（元）", 36, "R"),
            Column("剩余本金（元）", 42, "R"),
        ],
        [
            [
                str(row.period),
                format_yuan(row.payment),
                format_yuan(row.principal),
                format_yuan(row.interest),
                format_yuan(row.remaining),
            ]
            for row in schedule.instalments
        ],
    )
    document.paragraph(
        f"合计：还款 {yuan_text(schedule.total_payment)}，其中利息 {yuan_text(schedule.total_interest)}。"
    )
    return document.render()


def _party(party: Party) -> str:
    return f"{party.name}（身份证号 {party.masked_id_number}）"
