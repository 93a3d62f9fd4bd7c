"""The facts each rule set decides on: frozen, JSON round-trippable, free of personal data.

No ID numbers, names or addresses: only what the rules need. A field typed ``... | Unknown``
comes from an outside source (公安, 社保, 民政, 不动产登记, 银行征信) and is UNKNOWN when that
source could not answer; ``None`` there means the source answered "no record". Fields without
``Unknown`` come from the centre's own data or the application itself. Amounts are integer fen;
``requested_amount`` None means "the largest amount the rules allow".

``withdrawal_locked`` (every withdrawal's facts): the applicant has locked withdrawals from the
account (own data, ``accounts.WithdrawalLock``, including an unlock still cooling off). It
defaults to False so that decisions recorded before the lock existed, whose facts lack it,
decode and replay as they were decided: nobody could have locked then.

Account status codes are those of DOMAIN.md §2 ("01" normal, "02" sealed, "03"–"05" closed,
"06" frozen, "99" other).

This centre's loans: the portal has no loan book yet, so what the facts say about "a fund loan of
this centre" comes from the credit report (银行征信): a loan of kind "fund" whose ``centre`` is this
centre's code (``settings.FUND_CENTRE_CODE``). Those fields are therefore UNKNOWN when the
bureau cannot answer, and the rules refer. Once the centre keeps its own loans they become own
data again.
"""

from dataclasses import dataclass
from datetime import date

from approvals.engine import Facts, Unknown

ACCOUNT_NORMAL = "01"
ACCOUNT_SEALED = "02"
ACCOUNT_CLOSED = ("03", "04", "05")
ACCOUNT_FROZEN = "06"

MARRIED = "married"
MARITAL_STATUSES = ("married", "single", "divorced", "widowed")

RELATION_SELF = "self"
RELATION_SPOUSE = "spouse"
RELATIONS = ("self", "spouse", "parent", "child")

PROPERTY_NEW = "new"
PROPERTY_RESALE = "resale"

LOAN_FUND = "fund"
LOAN_COMMERCIAL = "commercial"
LOAN_REPAYING = "repaying"
LOAN_SETTLED = "settled"


@dataclass(frozen=True, kw_only=True)
class Employment(Facts):
    """The applicant's current or last employment recorded by 社保 (employer left out)."""

    since: date
    ended_on: date | None


@dataclass(frozen=True, kw_only=True)
class LeavingCityFacts(Facts):
    """LEAVING_CITY 离职离厦.

    ``hukou_region``: 公安 hukou region code (None: no hukou record). ``employment``: 社保's
    employment record (None: none). ``sealed_on``: when the account was sealed (own data; None if
    it is not sealed). ``deposited_since_sealing``: any deposit (汇缴/补缴) posted after sealing.
    """

    applied_on: date
    account_status: str
    balance: int
    sealed_on: date | None
    deposited_since_sealing: bool
    hukou_region: str | Unknown | None
    employment: Employment | Unknown | None
    requested_amount: int | None = None
    withdrawal_locked: bool = False


@dataclass(frozen=True, kw_only=True)
class RetirementFacts(Facts):
    """RETIREMENT 退休 and LIXIU 离休: 社保's retirement record."""

    applied_on: date
    account_status: str
    balance: int
    retired: bool | Unknown
    lixiu: bool | Unknown
    requested_amount: int | None = None
    withdrawal_locked: bool = False


@dataclass(frozen=True, kw_only=True)
class PurchasedProperty(Facts):
    """The home the purchase withdrawal is for, as 不动产登记 records it, plus the centre's own data.

    ``relation``: whose purchase it is, seen from the applicant ("self", "spouse", "parent",
    "child"). ``kind``: "new" or "resale". ``price`` and ``loan_amount`` in fen.
    ``applicant_withdrawals``: what the applicant already withdrew for this property (own data);
    ``total_withdrawals``: what anyone withdrew for it at this centre, the applicant included.
    """

    relation: str
    region_code: str
    kind: str
    contract_on: date
    title_on: date | None
    price: int
    loan_amount: int
    full_payment: bool
    applicant_withdrawals: int
    total_withdrawals: int


@dataclass(frozen=True, kw_only=True)
class PurchaseInCityFacts(Facts):
    """PURCHASE_IN_CITY 本市购房.

    ``property``: the purchase the application names (or, when it names none, the latest one of
    the applicant or spouse); None when 不动产登记 holds no purchase contract or title; UNKNOWN when
    the registry, or the marriage record a spouse's purchase depends on, could not be reached.
    """

    applied_on: date
    account_status: str
    balance: int
    property: PurchasedProperty | Unknown | None
    requested_amount: int | None = None
    withdrawal_locked: bool = False


@dataclass(frozen=True, kw_only=True)
class RentFacts(Facts):
    """RENT 租房.

    ``consecutive_deposit_months``: months deposited without a gap up to the latest month (own
    data). ``period_months``: 1 (monthly) or 3 (quarterly), as applied for.
    ``self_home_regions``: region codes of the homes the applicant owns or is buying (不动产登记).
    ``marital_status``: 民政 ("married", "single", "divorced", "widowed").
    ``spouse_home_regions``: the spouse's homes; None when not married or when the marriage
    record names no spouse; UNKNOWN when it could not be looked up.
    ``rent_withdrawn_through``: the last day covered by earlier rent withdrawals (own data).
    """

    applied_on: date
    account_status: str
    balance: int
    consecutive_deposit_months: int
    period_months: int
    self_home_regions: tuple[str, ...] | Unknown
    marital_status: str | Unknown
    spouse_home_regions: tuple[str, ...] | Unknown | None
    rent_withdrawn_through: date | None = None
    requested_amount: int | None = None
    withdrawal_locked: bool = False


@dataclass(frozen=True, kw_only=True)
class BureauLoan(Facts):
    """One loan in the 银行征信 credit report (lender left out; ``centre`` set for fund loans)."""

    kind: str
    status: str
    monthly_payment: int
    opened_on: date
    centre: str | None


@dataclass(frozen=True, kw_only=True)
class LoanRepaymentAnnualFacts(Facts):
    """LOAN_REPAYMENT_ANNUAL 偿还购房贷款（按年）.

    ``centre_loan_repaying``: a fund loan of this centre in repayment (see "This centre's loans"
    above). ``bureau_loans``: the credit report's loans. ``last_repayment_withdrawal_on``: the
    latest earlier loan-repayment withdrawal (own data). ``repaid_last_12_months``: principal and
    interest repaid in the 12 months before applying. Until the centre keeps repayment histories
    it is estimated from the credit report: each loan in repayment's monthly payment times the
    complete months since it was opened, at most 12; no payment for a loan settled within the
    year; UNKNOWN when the report shows an overdue month (missed instalments would inflate it).
    """

    applied_on: date
    account_status: str
    balance: int
    centre_loan_repaying: bool | Unknown
    bureau_loans: tuple[BureauLoan, ...] | Unknown
    last_repayment_withdrawal_on: date | None
    repaid_last_12_months: int | Unknown
    requested_amount: int | None = None
    withdrawal_locked: bool = False


@dataclass(frozen=True, kw_only=True)
class LoanRepaymentMonthlyFacts(Facts):
    """LOAN_REPAYMENT_MONTHLY 委托按月还贷.

    ``centre_loan_status``: "repaying" or "settled" for the applicant's fund loan of this centre
    (see "This centre's loans" above), None when there is none. ``overdue_months``: months with
    an overdue payment in the last 24 (credit report, any loan): a count, not the amount overdue
    now, so a count above zero asks staff to check rather than refusing.
    ``entrusted_deduction``: a monthly deduction is already set up for that loan (own data: an
    approved LOAN_REPAYMENT_MONTHLY application since the loan was opened; the portal sets up
    deductions only that way, and has no way yet to end one).
    """

    applied_on: date
    account_status: str
    balance: int
    centre_loan_status: str | Unknown | None
    overdue_months: int | Unknown
    entrusted_deduction: bool
    withdrawal_locked: bool = False


@dataclass(frozen=True, kw_only=True)
class StaffReviewFacts(Facts):
    """The staff-review reasons (PURCHASE_ELSEWHERE, SERIOUS_ILLNESS, …): only own data."""

    applied_on: date
    account_status: str
    balance: int
    requested_amount: int | None = None
    withdrawal_locked: bool = False


@dataclass(frozen=True, kw_only=True)
class LoanPurchase(Facts):
    """The home a loan is for, as 不动产登记 records it: whose purchase it is ("self" or
    "spouse"), where, its registered price in fen, and whether the title is registered yet."""

    relation: str
    region_code: str
    price: int
    titled: bool


@dataclass(frozen=True, kw_only=True)
class LoanEligibilityFacts(Facts):
    """LOAN_ELIGIBILITY (DOMAIN.md §7).

    ``birth_year``/``birth_month``: from the person's record (the ID number stays out).
    ``term_months``: as applied for. ``centre_loan_repaying``: a fund loan of this centre in
    repayment (see "This centre's loans" above). ``bureau_loans``: the credit report's loans.
    ``overdue_months``: months with an overdue payment in the last ``loan.overdue_lookback_months``
    months (credit report).

    Version 2 adds 社保, 不动产登记 and 民政 (the fields below ``overdue_months``). They default to
    what replays a decision recorded before they existed as it was decided: ``gov_checked`` False
    means those sources were not asked, and the rules that read them pass.

    ``employment``: 社保's latest employment record (None: never insured). ``marital_status``: 民政
    ("married", "single", …). ``purchase``: the home being bought, found in 不动产登记 under the
    applicant's or the spouse's name by the contract or certificate number the application names
    (``property_named``), or, when it names none, their latest purchase in the city; None when
    neither holds it. ``stated_price``: the price the applicant stated, in fen.
    ``first_home_declared``: the applicant applied for a first home. ``self_home_regions`` and
    ``spouse_home_regions``: region codes of the other homes (the one being bought left out, a
    joint home counted once) the applicant and the spouse own or are buying; the spouse's None
    when not married or when the marriage record names no spouse.
    """

    applied_on: date
    account_status: str
    consecutive_deposit_months: int
    birth_year: int
    birth_month: int
    term_months: int
    centre_loan_repaying: bool | Unknown
    bureau_loans: tuple[BureauLoan, ...] | Unknown
    overdue_months: int | Unknown
    gov_checked: bool = False
    employment: Employment | Unknown | None = None
    marital_status: str | Unknown | None = None
    purchase: LoanPurchase | Unknown | None = None
    property_named: bool = False
    stated_price: int | None = None
    first_home_declared: bool = False
    self_home_regions: tuple[str, ...] | Unknown = ()
    spouse_home_regions: tuple[str, ...] | Unknown | None = None
