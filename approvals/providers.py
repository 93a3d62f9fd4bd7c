"""Per rule set: which government sources to ask, and how their answers and the centre's own data
become the rule set's facts.

Order of work for one decision (:func:`gather_facts`):

1. the centre's own data, in the caller's thread, before any source is asked: the account
   (status, sealed_on), its balance, the months with a deposit (汇缴 01 / 补缴 02) from the
   ledger, the person's withdrawal lock, and earlier applications — a handful of queries,
   whatever the history's length;
2. the sources, in parallel (:func:`approvals.gathering.gather`), each with its timeout;
3. only where a spouse matters (rent, a purchase): a second round for the spouse's homes, asked
   once the marriage record has named the spouse, within the same overall deadline.

A source that fails or is late makes its facts UNKNOWN, never "no": the rules then refer.
ID numbers leave this module only in the calls to the sources; the facts hold region codes,
dates and amounts, and ``private`` holds at most the spouse's blind index (for the reviewers'
conflict check).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from datetime import date, timedelta
from typing import Any

from django.conf import settings

from accounts.models import AccountStatus, CarriedDepositHistory, FundAccount, Person
from accounts.selectors import account_deposit_months, withdrawals_locked
from approvals.engine import UNKNOWN, RuleSet, add_months, whole_months_between
from approvals.gathering import Answer, decision_deadline, gather, source_timeout
from approvals.models import Application, ApplicationStatus
from approvals.rulesets import facts as f
from core.crypto import blind_index
from integrations.gov import ports
from integrations.gov.registry import QueryLog, gov_source
from ledger.models import BusinessType, JournalLine

# How far back deposits are read for the consecutive-months count: ten years is longer than any
# rule asks for, and bounds the query for people with decades of history.
DEPOSIT_HISTORY_MONTHS = 120
CITY_PREFIX_KEY = "city.local_region_prefix"
NO_ACCOUNT_STATUS = AccountStatus.OTHER  # a person without an account: the rules refer


class InvalidPayload(ValueError):
    """The application's payload does not fit the rule set (the service turns it into a DomainError)."""


@dataclass(frozen=True)
class OwnData:
    person: Person
    account_status: str
    balance: int
    sealed_on: date | None
    deposit_months: frozenset[date]  # the first day of each month with a deposit
    deposited_since_sealing: bool
    withdrawal_locked: bool = False
    # Deposit time brought in from other cities (异地转入), with the deposit months.
    carried: tuple[Carried, ...] = ()


@dataclass(frozen=True)
class Carried:
    """Another city's deposit history as its centre stated it: the last month paid, how many."""

    paid_up_to: date
    months: int
    last_six_continuous: bool


@dataclass(frozen=True)
class Gathered:
    facts: Any
    sources: dict[str, Answer]  # "source.operation" (":spouse" for the second round) → answer
    private: dict[str, Any]


# Own data -----------------------------------------------------------------------------------


def own_data(person: Person, *, on: date, deposit_history: bool, withdrawal_lock: bool = False) -> OwnData:
    """The account and, when ``deposit_history`` is asked for, the months with a deposit.

    One query for the account with its balance; two for the deposit months (rent, a loan): the
    months deposited here (duplicate accounts merged into this one included) and the deposit
    time carried in from other cities; or,
    for a sealed account, one for a 汇缴 since sealing; with ``withdrawal_lock``, one for the
    person's withdrawal lock as it stands now. Nothing else is read.
    """
    locked = withdrawal_lock and withdrawals_locked(person)
    account = (
        FundAccount.objects.filter(person=person)
        .select_related("ledger_account")
        .only("status", "sealed_on", "ledger_account__balance")
        .first()
    )
    if account is None:
        return OwnData(person, NO_ACCOUNT_STATUS, 0, None, frozenset(), False, locked)
    deposits = JournalLine.objects.filter(account_id=account.ledger_account_id, credit__gt=0)
    months, carried = frozenset(), ()
    if deposit_history:
        since = add_months(on.replace(day=1), -DEPOSIT_HISTORY_MONTHS)
        months = account_deposit_months(account, since=since)
        carried = carried_deposit_time(account)
    # A 补缴 after sealing pays for months before it; only a 汇缴 is a new deposit.
    since_sealing = account.sealed_on is not None and (
        deposits.filter(
            entry__business_type=BusinessType.MONTHLY_DEPOSIT, entry__business_on__gt=account.sealed_on
        ).exists()
    )
    return OwnData(
        person=person,
        account_status=account.status,
        balance=account.ledger_account.balance,
        sealed_on=account.sealed_on,
        deposit_months=months,
        deposited_since_sealing=since_sealing,
        withdrawal_locked=locked,
        carried=carried,
    )


def carried_deposit_time(account: FundAccount) -> tuple[Carried, ...]:
    """The deposit time brought to ``account`` from other cities, the latest first."""
    return tuple(
        Carried(paid_up_to=row[0], months=row[1], last_six_continuous=row[2])
        for row in CarriedDepositHistory.objects.filter(account=account)
        .order_by("-paid_up_to", "-pk")
        .values_list("paid_up_to", "months", "last_six_continuous")
    )


def consecutive_deposit_months(
    months: frozenset[date], *, on: date, carried: tuple[Carried, ...] = ()
) -> int:
    """Months with a deposit, without a gap, up to this month (or last month, if this month's
    deposit is not yet due), with the deposit time carried in from other cities merged.

    Another city's months join the run when that centre's last six months ran on and it was paid
    up to the month before the run here began (the month of the move may be paid on both sides:
    counted once). Its months are then taken as the sending centre stated them: the platform
    states the count and the continuity of the last six, and the transfer rules merge the time.
    """
    month = on.replace(day=1)
    if month not in months:
        month = add_months(month, -1)
    count = 0
    while month in months:
        count += 1
        month = add_months(month, -1)
    # ``month`` is now the first month back without a deposit here: the gap another city may fill.
    for history in carried:  # latest first
        if not history.last_six_continuous or history.paid_up_to < month:
            break
        overlap = whole_months_between(month, history.paid_up_to)  # months paid on both sides
        count += max(history.months - overlap, 0)
        month = add_months(history.paid_up_to, -history.months)
    return count


def _approved(person: Person, reason: str):
    return Application.objects.filter(applicant=person, reason=reason, status=ApplicationStatus.APPROVED)


def _amount(payload: Mapping, key: str = "amount") -> int | None:
    value = payload.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InvalidPayload(f"{key} must be a whole number of fen ≥ 0")
    return value


def _int_choice(payload: Mapping, key: str, choices: tuple[int, ...], default: int) -> int:
    value = payload.get(key, default)
    if value not in choices or isinstance(value, bool):
        raise InvalidPayload(f"{key} must be one of {choices}")
    return value


# Asking the sources ------------------------------------------------------------------------


class _Asker:
    """Builds requests for :func:`gather` and keeps the answers and the deadline of one decision."""

    def __init__(self, *, purpose: str, requested_by: str, query_log: QueryLog | None = None):
        self.purpose = purpose
        self.requested_by = requested_by
        self.query_log = query_log
        self.started = time.monotonic()
        self.deadline = decision_deadline()
        self.timeout = source_timeout()
        self.answers: dict[str, Answer] = {}

    def request(self, source: str, operation: str, *args) -> Callable[[float], Any]:
        port = gov_source(source, purpose=self.purpose, requested_by=self.requested_by, sink=self.query_log)
        method = getattr(port, operation)
        return lambda timeout: method(*args, timeout=timeout)

    def ask(self, requests: Mapping[str, Callable[[float], Any]]) -> dict[str, Answer]:
        remaining = self.deadline - (time.monotonic() - self.started)
        answers = gather(requests, per_source_timeout=self.timeout, deadline=max(0.0, remaining))
        self.answers.update(answers)
        return answers


def _value(answer: Answer):
    return answer.value if answer.answered else UNKNOWN


def _employment(answer: Answer):
    record = _value(answer)
    if record is UNKNOWN or record is None:
        return record
    return f.Employment(since=record.since, ended_on=record.ended_on)


def _bureau_loans(report) -> tuple[f.BureauLoan, ...]:
    return tuple(
        f.BureauLoan(
            kind=loan.kind,
            status=loan.status,
            monthly_payment=loan.monthly_payment,
            opened_on=loan.opened_on,
            centre=loan.centre,
        )
        for loan in report.loans
    )


def _marriage(answer: Answer) -> tuple[Any, str | None]:
    """(marital status or UNKNOWN, the spouse's ID number or None)."""
    record = _value(answer)
    if record is UNKNOWN:
        return UNKNOWN, None
    if record is None:
        return ports.SINGLE, None
    spouse = record.spouse_id_number if record.status == ports.MARRIED else None
    return record.status, spouse


def _private_marriage(status, spouse: str | None) -> dict:
    if status is UNKNOWN:
        return {}
    return {"marriage_checked": True, "spouse_index": blind_index(spouse) if spouse else None}


# One provider per facts type -----------------------------------------------------------------


def _leaving_city(ask: _Asker, own: OwnData, id_number: str, payload, on: date, params) -> Gathered:
    answers = ask.ask(
        {
            "public_security.hukou": ask.request(ports.PUBLIC_SECURITY, "hukou", id_number),
            "social_security.employment": ask.request(ports.SOCIAL_SECURITY, "employment", id_number),
        }
    )
    hukou = _value(answers["public_security.hukou"])
    facts = f.LeavingCityFacts(
        applied_on=on,
        account_status=own.account_status,
        balance=own.balance,
        sealed_on=own.sealed_on,
        deposited_since_sealing=own.deposited_since_sealing,
        hukou_region=hukou if hukou is UNKNOWN or hukou is None else hukou.region_code,
        employment=_employment(answers["social_security.employment"]),
        requested_amount=_amount(payload),
        withdrawal_locked=own.withdrawal_locked,
    )
    return Gathered(facts, ask.answers, {})


def _retirement(ask: _Asker, own: OwnData, id_number: str, payload, on: date, params) -> Gathered:
    answers = ask.ask(
        {"social_security.retirement": ask.request(ports.SOCIAL_SECURITY, "retirement", id_number)}
    )
    record = _value(answers["social_security.retirement"])
    facts = f.RetirementFacts(
        applied_on=on,
        account_status=own.account_status,
        balance=own.balance,
        retired=UNKNOWN if record is UNKNOWN else bool(record and record.retired),
        lixiu=UNKNOWN if record is UNKNOWN else bool(record and record.lixiu),
        requested_amount=_amount(payload),
        withdrawal_locked=own.withdrawal_locked,
    )
    return Gathered(facts, ask.answers, {})


def _rent(ask: _Asker, own: OwnData, id_number: str, payload, on: date, params) -> Gathered:
    period = _int_choice(payload, "period_months", (1, 3), 1)
    answers = ask.ask(
        {
            "real_estate.properties": ask.request(ports.REAL_ESTATE, "properties", id_number),
            "civil_affairs.marriage": ask.request(ports.CIVIL_AFFAIRS, "marriage", id_number),
        }
    )
    homes = _value(answers["real_estate.properties"])
    status, spouse = _marriage(answers["civil_affairs.marriage"])
    if status is UNKNOWN:
        spouse_homes = UNKNOWN
    elif spouse is None:
        spouse_homes = None
    else:
        second = ask.ask(
            {"real_estate.properties:spouse": ask.request(ports.REAL_ESTATE, "properties", spouse)}
        )
        found = _value(second["real_estate.properties:spouse"])
        spouse_homes = found if found is UNKNOWN else tuple(home.region_code for home in found or ())
    facts = f.RentFacts(
        applied_on=on,
        account_status=own.account_status,
        balance=own.balance,
        consecutive_deposit_months=consecutive_deposit_months(own.deposit_months, on=on, carried=own.carried),
        period_months=period,
        self_home_regions=homes if homes is UNKNOWN else tuple(home.region_code for home in homes or ()),
        marital_status=status,
        spouse_home_regions=spouse_homes,
        rent_withdrawn_through=_rent_withdrawn_through(own.person),
        requested_amount=_amount(payload),
        withdrawal_locked=own.withdrawal_locked,
    )
    return Gathered(facts, ask.answers, _private_marriage(status, spouse))


def _rent_withdrawn_through(person: Person) -> date | None:
    """The last day covered by approved rent withdrawals: each covers its period from its decision."""
    through = None
    for decided_at, payload in _approved(person, "RENT").values_list("decided_at", "payload"):
        months = (payload or {}).get("period_months", 1)
        start = decided_at.date()
        end = add_months(start, months if isinstance(months, int) else 1) - timedelta(days=1)
        through = max(through, end) if through else end
    return through


def _purchase_in_city(ask: _Asker, own: OwnData, id_number: str, payload, on: date, params) -> Gathered:
    wanted = payload.get("property_id")
    if wanted is not None and not isinstance(wanted, str):
        raise InvalidPayload("property_id must be text")
    answers = ask.ask(
        {
            "real_estate.properties": ask.request(ports.REAL_ESTATE, "properties", id_number),
            "civil_affairs.marriage": ask.request(ports.CIVIL_AFFAIRS, "marriage", id_number),
        }
    )
    own_homes = _value(answers["real_estate.properties"])
    status, spouse = _marriage(answers["civil_affairs.marriage"])
    # Only to pick the latest home when the application names none; the rules judge the region.
    prefix = params.get(CITY_PREFIX_KEY) or "3502"
    relation = f.RELATION_SELF
    chosen = UNKNOWN if own_homes is UNKNOWN else _pick(own_homes, wanted, prefix)
    if chosen is None and spouse is not None:
        # The spouse's purchase counts too: ask only when the applicant's own records hold none.
        second = ask.ask(
            {"real_estate.properties:spouse": ask.request(ports.REAL_ESTATE, "properties", spouse)}
        )
        spouse_homes = _value(second["real_estate.properties:spouse"])
        chosen = UNKNOWN if spouse_homes is UNKNOWN else _pick(spouse_homes, wanted, prefix)
        relation = f.RELATION_SPOUSE
    elif chosen is None and status is UNKNOWN:
        chosen = UNKNOWN  # a spouse's purchase could not be ruled out
    facts = f.PurchaseInCityFacts(
        applied_on=on,
        account_status=own.account_status,
        balance=own.balance,
        property=chosen if chosen is UNKNOWN or chosen is None else _purchased(chosen, relation, own.person),
        requested_amount=_amount(payload),
        withdrawal_locked=own.withdrawal_locked,
    )
    return Gathered(facts, ask.answers, _private_marriage(status, spouse))


def _pick(homes, wanted: str | None, prefix: str):
    homes = tuple(homes or ())
    if wanted is not None:
        return next((home for home in homes if home.property_id == wanted), None)
    in_city = [home for home in homes if home.region_code.startswith(prefix)]
    return max(in_city, key=lambda home: home.contract_on, default=None)


def _withdrawn_for(property_id: str, person: Person) -> tuple[int, int]:
    """(the applicant's, everyone's) approved purchase withdrawals for this property, in fen."""
    mine = total = 0
    rows = Application.objects.filter(
        reason="PURCHASE_IN_CITY", status=ApplicationStatus.APPROVED, payload__property_id=property_id
    ).values_list("applicant_id", "payload")
    for applicant_id, payload in rows:
        amount = (payload or {}).get("amount") or 0
        total += amount
        if applicant_id == person.pk:
            mine += amount
    return mine, total


def _purchased(home, relation: str, person: Person) -> f.PurchasedProperty:
    mine, total = _withdrawn_for(home.property_id, person)
    return f.PurchasedProperty(
        relation=relation,
        region_code=home.region_code,
        kind=home.kind,
        contract_on=home.contract_on,
        title_on=home.title_on,
        price=home.price,
        loan_amount=home.loan_amount,
        full_payment=home.full_payment,
        applicant_withdrawals=mine,
        total_withdrawals=total,
    )


# Loans: until the centre keeps its own loan book, the credit report is the only record of a
# fund loan of this centre (kind "fund", ``centre`` = settings.FUND_CENTRE_CODE).


def _credit_report(ask: _Asker, id_number: str):
    """The credit report: UNKNOWN when the bureau did not answer, None when it holds no file."""
    answers = ask.ask(
        {"credit_bureau.credit_report": ask.request(ports.CREDIT_BUREAU, "credit_report", id_number)}
    )
    return _value(answers["credit_bureau.credit_report"])


def _centre_loans(report) -> tuple[ports.CreditLoan, ...]:
    """This centre's fund loans in the credit report (none when the bureau holds no file)."""
    if report is None:
        return ()
    return tuple(
        loan
        for loan in report.loans
        if loan.kind == ports.FUND_LOAN and loan.centre == settings.FUND_CENTRE_CODE
    )


def _centre_loan_repaying(report):
    if report is UNKNOWN:
        return UNKNOWN
    return any(loan.status == ports.REPAYING for loan in _centre_loans(report))


def _repaid_last_12_months(report, on: date):
    """Repayments in the 12 months before ``on``, estimated from the credit report.

    There is no repayment history in the portal yet. Each loan in repayment counts its monthly
    payment once for every complete month since it was opened (the first instalment falls a
    month after), at most 12. A loan settled within the year counts nothing (the report does not
    say when it was settled), so the estimate errs low. Missed instalments would make it too
    high, and the report does not say on which loan or for how much: with any overdue month in
    the report the amount is UNKNOWN, and the application goes to staff.
    """
    if report.overdue_months_last_24 > 0:
        return UNKNOWN
    total = 0
    for loan in report.loans:
        if loan.status != ports.REPAYING:
            continue
        months = min(12, max(0, whole_months_between(loan.opened_on, on)))
        total += loan.monthly_payment * months
    return total


def _last_withdrawal_on(person: Person, reason: str) -> date | None:
    decided_at = (
        _approved(person, reason).order_by("-decided_at").values_list("decided_at", flat=True).first()
    )
    return decided_at.date() if decided_at else None


def _loan_repayment_annual(ask: _Asker, own: OwnData, id_number: str, payload, on: date, params) -> Gathered:
    report = _credit_report(ask, id_number)
    if report is UNKNOWN:
        loans, repaid = UNKNOWN, UNKNOWN
    elif report is None:
        loans, repaid = (), 0
    else:
        loans, repaid = _bureau_loans(report), _repaid_last_12_months(report, on)
    facts = f.LoanRepaymentAnnualFacts(
        applied_on=on,
        account_status=own.account_status,
        balance=own.balance,
        centre_loan_repaying=_centre_loan_repaying(report),
        bureau_loans=loans,
        last_repayment_withdrawal_on=_last_withdrawal_on(own.person, "LOAN_REPAYMENT_ANNUAL"),
        repaid_last_12_months=repaid,
        requested_amount=_amount(payload),
        withdrawal_locked=own.withdrawal_locked,
    )
    return Gathered(facts, ask.answers, {})


def _loan_repayment_monthly(ask: _Asker, own: OwnData, id_number: str, payload, on: date, params) -> Gathered:
    report = _credit_report(ask, id_number)
    if report is UNKNOWN:
        status, overdue, entrusted = UNKNOWN, UNKNOWN, False
    else:
        loans = _centre_loans(report)
        repaying = [loan for loan in loans if loan.status == ports.REPAYING]
        status = f.LOAN_REPAYING if repaying else (f.LOAN_SETTLED if loans else None)
        overdue = report.overdue_months_last_24 if report is not None else 0
        # Deductions are set up only by an approved application here (none existed before the
        # portal), so one approved since the loan was opened means this loan already has one.
        entrusted = bool(repaying) and (
            _approved(own.person, "LOAN_REPAYMENT_MONTHLY")
            .filter(decided_at__date__gte=min(loan.opened_on for loan in repaying))
            .exists()
        )
    facts = f.LoanRepaymentMonthlyFacts(
        applied_on=on,
        account_status=own.account_status,
        balance=own.balance,
        centre_loan_status=status,
        overdue_months=overdue,
        entrusted_deduction=entrusted,
        withdrawal_locked=own.withdrawal_locked,
    )
    return Gathered(facts, ask.answers, {})


def _staff_review(ask: _Asker, own: OwnData, id_number: str, payload, on: date, params) -> Gathered:
    facts = f.StaffReviewFacts(
        applied_on=on,
        account_status=own.account_status,
        balance=own.balance,
        requested_amount=_amount(payload),
        withdrawal_locked=own.withdrawal_locked,
    )
    return Gathered(facts, ask.answers, {})


def _loan_eligibility(ask: _Asker, own: OwnData, id_number: str, payload, on: date, params) -> Gathered:
    """Credit report, 社保 employment, 不动产 homes and 民政 marriage, asked together; then the
    spouse's homes when 民政 names a spouse (their homes count against a first home)."""
    term = payload.get("term_months", 360)
    if isinstance(term, bool) or not isinstance(term, int) or term <= 0:
        raise InvalidPayload("term_months must be a whole number of months > 0")
    wanted = payload.get("property_ref")
    if wanted is not None and not isinstance(wanted, str):
        raise InvalidPayload("property_ref must be text")
    wanted = (wanted or "").strip() or None
    price = payload.get("house_price")
    if price is not None and (isinstance(price, bool) or not isinstance(price, int)):
        raise InvalidPayload("house_price must be a whole number of fen")
    answers = ask.ask(
        {
            "credit_bureau.credit_report": ask.request(ports.CREDIT_BUREAU, "credit_report", id_number),
            "social_security.employment": ask.request(ports.SOCIAL_SECURITY, "employment", id_number),
            "real_estate.properties": ask.request(ports.REAL_ESTATE, "properties", id_number),
            "civil_affairs.marriage": ask.request(ports.CIVIL_AFFAIRS, "marriage", id_number),
        }
    )
    report = _value(answers["credit_bureau.credit_report"])
    if report is UNKNOWN:
        loans, overdue = UNKNOWN, UNKNOWN
    elif report is None:
        loans, overdue = (), 0
    else:
        loans, overdue = _bureau_loans(report), report.overdue_months_last_24
    own_homes = _value(answers["real_estate.properties"])
    status, spouse = _marriage(answers["civil_affairs.marriage"])
    spouse_homes = None
    if status is UNKNOWN:
        spouse_homes = UNKNOWN
    elif spouse is not None:
        second = ask.ask(
            {"real_estate.properties:spouse": ask.request(ports.REAL_ESTATE, "properties", spouse)}
        )
        spouse_homes = _value(second["real_estate.properties:spouse"])
    purchase = _loan_purchase(own_homes, spouse_homes, wanted, params)
    found = purchase is not UNKNOWN and purchase is not None
    bought = {purchase[0]} if found else set()
    self_regions = _other_regions(own_homes, bought)
    if spouse_homes is UNKNOWN or spouse_homes is None:
        spouse_regions = spouse_homes
    else:
        # A joint home appears in both lists: counted once, with the applicant's.
        mine = set() if own_homes is UNKNOWN else {home.property_id for home in own_homes}
        spouse_regions = _other_regions(spouse_homes, bought | mine)
    facts = f.LoanEligibilityFacts(
        applied_on=on,
        account_status=own.account_status,
        consecutive_deposit_months=consecutive_deposit_months(own.deposit_months, on=on, carried=own.carried),
        birth_year=own.person.birth_date.year,
        birth_month=own.person.birth_date.month,
        term_months=term,
        centre_loan_repaying=_centre_loan_repaying(report),
        bureau_loans=loans,
        overdue_months=overdue,
        gov_checked=True,
        employment=_employment(answers["social_security.employment"]),
        marital_status=status,
        purchase=purchase[1] if found else purchase,
        property_named=wanted is not None,
        stated_price=price,
        first_home_declared=payload.get("first_home") is True,
        self_home_regions=self_regions,
        spouse_home_regions=spouse_regions,
    )
    return Gathered(facts, ask.answers, _private_marriage(status, spouse))


def _loan_purchase(own_homes, spouse_homes, wanted: str | None, params):
    """(property id, :class:`LoanPurchase`) of the home the loan is for, None, or UNKNOWN.

    By the number named (the port has no look-up by contract number, so it is searched among the
    applicant's and the spouse's homes); with none named, their latest purchase in the city.
    """
    prefix = params.get(CITY_PREFIX_KEY) or "3502"
    for relation, homes in ((f.RELATION_SELF, own_homes), (f.RELATION_SPOUSE, spouse_homes)):
        if homes is UNKNOWN:
            return UNKNOWN
        home = _pick(homes, wanted, prefix)
        if home is not None:
            return home.property_id, f.LoanPurchase(
                relation=relation,
                region_code=home.region_code,
                price=home.price,
                titled=home.title_on is not None,
            )
    return None


def _other_regions(homes, leave_out: set[str]):
    if homes is UNKNOWN:
        return UNKNOWN
    return tuple(home.region_code for home in homes or () if home.property_id not in leave_out)


PROVIDERS: dict[type, Callable[..., Gathered]] = {
    f.LeavingCityFacts: _leaving_city,
    f.RetirementFacts: _retirement,
    f.RentFacts: _rent,
    f.PurchaseInCityFacts: _purchase_in_city,
    f.LoanRepaymentAnnualFacts: _loan_repayment_annual,
    f.LoanRepaymentMonthlyFacts: _loan_repayment_monthly,
    f.StaffReviewFacts: _staff_review,
    f.LoanEligibilityFacts: _loan_eligibility,
}

# The rule sets that count consecutive months deposited.
NEEDS_DEPOSIT_HISTORY = frozenset({_rent, _loan_eligibility})


def gather_facts(
    rule_set: RuleSet,
    *,
    person: Person,
    payload: Mapping,
    params: Mapping,
    on: date,
    purpose: str,
    requested_by: str,
    query_log: QueryLog | None = None,
) -> Gathered:
    """The facts for ``rule_set`` about ``person`` on ``on``: own data first, then the sources.

    Must run outside any transaction (the sources refuse to be called inside one). Raises
    :class:`InvalidPayload` for a payload the rule set cannot use. With ``query_log`` the
    sources' log rows are kept there for the caller to write (:meth:`QueryLog.write`) rather
    than written one by one from the gathering threads.
    """
    provider = PROVIDERS.get(rule_set.facts_type)
    if provider is None:
        raise LookupError(f"no facts provider for {rule_set.facts_type.__name__} ({rule_set.name})")
    own = own_data(
        person,
        on=on,
        deposit_history=provider in NEEDS_DEPOSIT_HISTORY,
        withdrawal_lock=any(field.name == "withdrawal_locked" for field in fields(rule_set.facts_type)),
    )
    ask = _Asker(purpose=purpose, requested_by=requested_by, query_log=query_log)
    return provider(ask, own, person.id_number, payload, on, params)
