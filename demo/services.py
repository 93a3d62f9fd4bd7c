"""Writing a planned demo city through the services of ``accounts`` and ``ledger``.

Every person, unit, account, posting and status change goes through the owning app's service or
helper, so the demo data obey the same checks, balances and audit chain as real data. Money
moves only through ``ledger.services.post_entries`` (the bulk form of ``post_entry``, with the
same checks): one 汇缴 entry per unit and month, one 补缴 entry per missed month, one entry per
withdrawal or transfer out. Postings are written in business-date order, one transaction per
calendar month, and flushed before every closing, so a closing finds the balance its withdrawal
left (zero).

Three changes have no service yet and are written here, each with its audit event: a unit's
final status (03 缓缴, 04 销户, 05 封存) and 缴至年月 (the deposits app will own both), an
account frozen (06) and the demo administrator's superuser flag.
"""

from __future__ import annotations

import json
import os
import random
import string
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, time
from functools import partial

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from accounts import roles
from accounts.models import AccountStatus, Employer, FundAccount, Person, User
from accounts.selectors import monthly_parts
from accounts.services import (
    bulk_open_accounts,
    bulk_register_people,
    bulk_set_bank_cards,
    close_account_in_transaction,
    create_employee_login,
    create_operator,
    register_employer,
    seal_account_in_transaction,
)
from audit.services import PendingEvent, record_events
from core.crypto import blind_index
from core.identity import is_local_region
from core.money import format_yuan
from demo.city import (
    CLOSED_MERGED,
    CLOSED_TRANSFER,
    CLOSED_WITHDRAWAL,
    CityPlan,
    PlannedEmployer,
    PlannedPerson,
)
from demo.decisions import DecisionsResult, seed_decisions
from demo.loan import loans_in_repayment, seed_repayer_loan
from demo.models import DemoPersona, Persona
from demo.sandbox import fill_sandbox
from integrations.gov import ports
from ledger.centre import BANK_SETTLEMENT
from ledger.models import BUSINESS_TYPE_RECORD_NAMES, BusinessType
from ledger.services import Line, Posting, centre_account, post_entries
from signin.demo import DEMO_TOTP_SECRET, give_demo_authenticator

ACTOR_LABEL = "system:seed_demo"
LOGINS_FILE = "demo-logins.json"
WALK_INS_FILE = "demo-try.json"

STAFF_LOGINS = (
    (roles.STAFF_CLERK, "clerk", "受理员"),
    # A second clerk: one person never acts on two levels of one loan, so 受理 and 初审 need two.
    (roles.STAFF_CLERK, "first_reviewer", "初审员"),
    (roles.STAFF_SECTION_CHIEF, "section_chief", "科长(复审)"),
    (roles.STAFF_DEPUTY_DIRECTOR, "deputy_director", "副主任(终审)"),
    (roles.STAFF_DIRECTOR, "director", "主任"),
    (roles.STAFF_AUDITOR, "auditor", "稽核员"),
    (roles.ADMIN, "admin", "系统管理员"),
)
_CLOSING = {
    CLOSED_WITHDRAWAL: (BusinessType.CLOSING_WITHDRAWAL, AccountStatus.CLOSED_BY_WITHDRAWAL),
    CLOSED_TRANSFER: (BusinessType.TRANSFER_OUT, AccountStatus.TRANSFERRED_OUT),
    CLOSED_MERGED: (None, AccountStatus.MERGED),
}
# Order of events on the same business date: money in, money out, then status changes.
_DEPOSIT, _BACKPAY, _PARTIAL, _SEAL, _PAYOUT, _CLOSE, _FREEZE = range(7)


@dataclass(frozen=True)
class DemoLogin:
    role: str
    persona: str | None
    username: str
    password: str
    name: str
    employer: str | None
    # Staff only: the demo authenticator's secret (signin.demo), to add to an authenticator app.
    totp_secret: str | None = None


@dataclass
class SeedResult:
    logins: list[DemoLogin]
    persons: int = 0
    employers: int = 0
    accounts: int = 0
    entries: int = 0
    lines: int = 0
    decisions: DecisionsResult | None = None
    walk_ins: dict[str, list[dict]] = field(default_factory=dict)


def database_has_people_or_units() -> bool:
    """Is anything there that seeding could clash with (people, units or accounts)?"""
    return Person.objects.exists() or Employer.objects.exists() or FundAccount.objects.exists()


def demo_password(rng: random.Random) -> str:
    """``Demo-`` and eight letters and digits, with at least one of each case and a digit."""
    alphabet = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    while True:
        tail = "".join(rng.choice(alphabet) for _ in range(8))
        if (
            any(char.islower() for char in tail)
            and any(char.isupper() for char in tail)
            and any(char in string.digits for char in tail)
        ):
            return f"Demo-{tail}"


def seed_city(plan: CityPlan) -> SeedResult:
    """Write ``plan`` to the database; the caller checked that the database is empty."""
    passwords = random.Random(f"demo-logins:{plan.seed}")
    logins: list[DemoLogin] = []
    staff = _create_staff(passwords, logins)
    employers = _register_employers(plan, clerk=staff[roles.STAFF_CLERK])
    people = _register_people(plan)
    accounts = _open_accounts(plan, people, employers)
    entries, lines = _post_history(plan, accounts, employers)
    _record_unit_states(plan, employers)
    _create_employer_logins(plan, employers, passwords, logins)
    _create_persona_logins(plan, people, employers, passwords, logins)
    fill_sandbox(plan)
    seed_repayer_loan(plan)
    decisions = seed_decisions(plan, clerk=staff[roles.STAFF_CLERK])
    seed_appointment_counters(today=plan.today)
    seed_final_approval_delegation(
        director=staff[roles.STAFF_DIRECTOR], deputy=staff[roles.STAFF_DEPUTY_DIRECTOR], today=plan.today
    )
    return SeedResult(
        logins=logins,
        decisions=decisions,
        persons=len(people),
        employers=len(employers),
        accounts=len(accounts),
        entries=entries,
        lines=lines,
        walk_ins=walk_ins_of(plan),
    )


def walk_ins_of(plan: CityPlan) -> dict[str, list[dict]]:
    """What a visitor can try the unit pages with: ``units`` to register online (a 注销 one is
    refused) and ``people`` to add as employees, all in the sandbox and unknown to the centre;
    and ``home_buyers``: what the loan personas' purchase contracts say (the register number and
    price the loan application is checked against), as the buyer would read it off the contract,
    and for the married couple the spouse to name as co-borrower;
    and ``loans_in_repayment``: the loan_repayer's loan account as its page shows it on the day
    of seeding (``demo.loan``)."""
    return {
        "home_buyers": _home_buyers(plan),
        "loans_in_repayment": loans_in_repayment(plan),
        "units": [
            {
                "credit_code": unit.credit_code,
                "name": unit.name,
                "status": ports.UNIT_CANCELLED if unit.cancelled else ports.UNIT_ACTIVE,
                "can_register": not unit.cancelled,
                "bank_name": unit.bank_name,
                "bank_account_no": unit.bank_account_no,
            }
            for unit in plan.walk_in_units
        ],
        "people": [
            {
                "id_number": person.id_number,
                "name": person.name,
                "hukou_region": person.hukou_region,
                "local_hukou": is_local_region(person.hukou_region),
                "mobile": person.mobile,
            }
            for person in plan.walk_in_people
        ],
    }


def _home_buyers(plan: CityPlan) -> list[dict]:
    from integrations.models import SandboxProperty

    buyers = [person for person in plan.people if person.persona == Persona.BUYER]
    buyers += [person for person in plan.people if person.persona == Persona.COUPLE_BUYER]
    spouse = next((person for person in plan.people if person.persona == Persona.COUPLE_SPOUSE), None)
    rows = []
    for person in buyers:
        purchase = (
            SandboxProperty.objects.filter(
                owners__id_number_index=blind_index(person.id_number), title_on__isnull=True
            )
            .order_by("-contract_on")
            .first()
        )
        if purchase is None:
            continue
        row = {
            "persona": person.persona,
            "id_number": person.id_number,
            "property_ref": purchase.property_id,
            "address": purchase.address,
            "price_yuan": format_yuan(purchase.price),
        }
        if person.persona == Persona.COUPLE_BUYER and spouse is not None:
            # The spouse, a depositor married to the buyer, confirms from their own login.
            row["co_borrower_id_number"] = spouse.id_number
            row["co_borrower_name"] = spouse.name
        rows.append(row)
    return rows


def _write_var_json(name: str, content) -> str:
    path = settings.VAR_DIR / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(content, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return str(path)


def _read_var_json(name: str):
    path = settings.VAR_DIR / name
    if not path.exists():
        return None
    return json.loads(path.read_text(encoding="utf-8"))


def write_walk_ins(walk_ins: dict[str, list[dict]]) -> str:
    """Write ``var/demo-try.json`` (``settings.VAR_DIR``) and return its path."""
    return _write_var_json(WALK_INS_FILE, walk_ins)


def read_walk_ins() -> dict[str, list[dict]] | None:
    return _read_var_json(WALK_INS_FILE)


def write_logins(logins: list[DemoLogin]) -> str:
    """Write ``var/demo-logins.json`` (``settings.VAR_DIR``) and return its path."""
    return _write_var_json(LOGINS_FILE, [asdict(login) for login in logins])


def read_logins() -> list[dict] | None:
    return _read_var_json(LOGINS_FILE)


# --- steps --------------------------------------------------------------------------------


def _create_staff(passwords: random.Random, logins: list[DemoLogin]) -> dict[str, User]:
    calls = []
    for role, username, title in STAFF_LOGINS:
        password = demo_password(passwords)
        calls.append(partial(create_operator, username=username, password=password, role=role, actor=None))
        logins.append(DemoLogin(role, None, username, password, title, None, DEMO_TOTP_SECRET))
    users = _in_parallel(calls)
    # Staff log in with an authenticator code: each demo staff login gets the published demo secret,
    # both clerks too (the map by role below keeps only one user of a role).
    for user in users:
        give_demo_authenticator(user=user)
    staff = dict(zip((role for role, _username, _title in STAFF_LOGINS), users, strict=True))
    admin = staff[roles.ADMIN]
    with transaction.atomic(durable=True):
        User.objects.filter(pk=admin.pk).update(is_superuser=True)
        record_events(
            [
                PendingEvent(
                    actor=None,
                    actor_label=ACTOR_LABEL,
                    action="demo.superuser_granted",
                    target=admin,
                    summary=f"Demo administrator {admin.username} made superuser",
                )
            ]
        )
    return staff


def _register_employers(plan: CityPlan, *, clerk: User) -> dict[int, Employer]:
    employers = {}
    for planned in plan.employers:
        employers[planned.index] = register_employer(
            credit_code=planned.credit_code,
            name=planned.name,
            bank_account_no=planned.bank_account_no,
            bank_name=planned.bank_name,
            employer_rate_bp=planned.employer_rate_bp,
            employee_rate_bp=planned.employee_rate_bp,
            confirm_credit_code=planned.confirmed,
            # A legacy code is confirmed by the demo clerk, as staff would at the counter.
            actor=clerk if planned.confirmed else None,
        )
    return employers


def _register_people(plan: CityPlan) -> dict[int, Person]:
    rows = [
        {
            "id_number": person.id_number,
            "name": person.name,
            "mobile": person.mobile,
            "hukou_region": person.hukou_region,
        }
        for person in plan.people
    ]
    registered = bulk_register_people(rows, actor=None, actor_label=ACTOR_LABEL)
    people = {planned.index: person for planned, person in zip(plan.people, registered, strict=True)}
    verified_at = _noon(plan.window_start)
    with_card = [planned for planned in plan.people if planned.bank_card is not None]
    cards = [
        (people[planned.index], planned.bank_card, verified_at if planned.card_verified else None)
        for planned in with_card
    ]
    updated = bulk_set_bank_cards(cards, actor=None, actor_label=ACTOR_LABEL)
    for planned, person in zip(with_card, updated, strict=True):
        people[planned.index] = person
    return people


def _open_accounts(
    plan: CityPlan, people: dict[int, Person], employers: dict[int, Employer]
) -> dict[int, FundAccount]:
    planned = [person for person in plan.people if person.employer is not None]
    rows = [
        (people[person.index], employers[person.employer], person.base, person.opened_on)
        for person in planned
    ]
    opened = bulk_open_accounts(rows, actor=None, actor_label=ACTOR_LABEL)
    return {person.index: account for person, account in zip(planned, opened, strict=True)}


def _events(plan: CityPlan) -> list[tuple]:
    events = []
    for employer in plan.employers:
        for month in plan.months:
            business_on = employer.business_date(month)
            if employer.pays_in(month) and month not in employer.missed_months and business_on < plan.today:
                events.append((business_on, _DEPOSIT, employer.index, month))
        if employer.backpaid_on is not None and employer.backpaid_on < plan.today:
            for month in employer.missed_months:
                events.append((employer.backpaid_on, _BACKPAY, employer.index, month))
    for person in plan.people:
        for day in person.partial_withdrawals:
            events.append((day, _PARTIAL, person.index, None))
        if person.sealed_on is not None:
            events.append((person.sealed_on, _SEAL, person.index, None))
        if person.payout_on is not None:
            events.append((person.payout_on, _PAYOUT, person.index, None))
        if person.closed_on is not None:
            events.append((person.closed_on, _CLOSE, person.index, None))
        if person.frozen_on is not None:
            events.append((person.frozen_on, _FREEZE, person.index, None))
    events.sort(key=lambda event: (event[0], event[1], event[2], event[3] or date.min))
    return events


class _Poster:
    """Posts the planned history, keeping each account's balance to size the withdrawals."""

    def __init__(self, plan: CityPlan, accounts: dict[int, FundAccount], employers: dict[int, Employer]):
        self.plan = plan
        self.accounts = accounts
        self.employers = employers
        self.bank = centre_account(BANK_SETTLEMENT)
        self.balances: dict[int, int] = defaultdict(int)
        self.members: dict[int, list[PlannedPerson]] = defaultdict(list)
        for person in plan.people:
            if person.employer is not None:
                self.members[person.employer].append(person)
        self.rng = random.Random(f"demo-withdrawals:{plan.seed}")
        self.pending: list[Posting] = []
        self.entries = 0
        self.lines = 0
        self.paid_months: dict[int, date] = {}

    def _post(self, *, business_type, business_on, key, memo, credits=(), debits=()):
        lines = [Line(account=self.bank, debit=sum(amount for _, amount in credits))] if credits else []
        for index, amount in credits:
            lines.append(Line(account=self.accounts[index].ledger_account, credit=amount))
            self.balances[index] += amount
        for index, amount in debits:
            lines.append(Line(account=self.accounts[index].ledger_account, debit=amount))
            self.balances[index] -= amount
        if debits:
            lines.append(Line(account=self.bank, credit=sum(amount for _, amount in debits)))
        self.pending.append(
            Posting(
                lines=lines,
                business_type=business_type,
                business_on=business_on,
                idempotency_key=key,
                memo=memo,
            )
        )

    def flush(self):
        """Post what is pending, in order: before a closing reads the balance, and at each month's end."""
        if not self.pending:
            return
        post_entries(self.pending)
        self.entries += len(self.pending)
        self.lines += sum(len(posting.lines) for posting in self.pending)
        self.pending = []

    def deposit(self, employer_index: int, month: date, business_on: date, *, back_payment: bool):
        planned: PlannedEmployer = self.plan.employers[employer_index]
        employer = self.employers[employer_index]
        due_on = planned.business_date(month)
        credits = []
        for person in self.members[employer_index]:
            if not person.paid_on(due_on):
                continue
            if back_payment and person.closed_on is not None and person.closed_on <= business_on:
                continue  # closed since: a late payment cannot reach a closed account
            employer_part, employee_part = monthly_parts(
                base=person.base,
                employer_rate_bp=employer.employer_rate_bp,
                employee_rate_bp=employer.employee_rate_bp,
            )
            credits.append((person.index, employer_part + employee_part))
        if not credits:
            return
        kind = "backpay" if back_payment else "deposit"
        self._post(
            business_type=BusinessType.BACK_PAYMENT if back_payment else BusinessType.MONTHLY_DEPOSIT,
            business_on=business_on,
            key=f"seed:{kind}:{employer.unit_account_no}:{month:%Y-%m}",
            memo=f"{month:%Y-%m} {'补缴' if back_payment else '汇缴'} {len(credits)} 人",
            credits=credits,
        )
        self.paid_months[employer_index] = max(month, self.paid_months.get(employer_index, month))

    def partial(self, index: int, business_on: date):
        # Whole hundreds of yuan, a fifth to a half of the balance (a purchase or a rent refund).
        amount = int(self.balances[index] * self.rng.uniform(0.2, 0.5)) // 10000 * 10000
        if amount <= 0:
            return
        account = self.accounts[index]
        self._post(
            business_type=BusinessType.PARTIAL_WITHDRAWAL,
            business_on=business_on,
            key=f"seed:withdrawal:{account.account_no}:{business_on:%Y-%m-%d}",
            memo="部分提取",
            debits=[(index, amount)],
        )

    def payout(self, index: int, business_on: date):
        business_type, _status = _CLOSING[self.plan.people[index].fate]
        amount = self.balances[index]
        if amount <= 0:
            return
        account = self.accounts[index]
        self._post(
            business_type=business_type,
            business_on=business_on,
            key=f"seed:close:{account.account_no}",
            memo=BUSINESS_TYPE_RECORD_NAMES[business_type],
            debits=[(index, amount)],
        )


def _post_history(
    plan: CityPlan, accounts: dict[int, FundAccount], employers: dict[int, Employer]
) -> tuple[int, int]:
    poster = _Poster(plan, accounts, employers)
    frozen = []
    by_month: dict[date, list[tuple]] = defaultdict(list)
    for event in _events(plan):
        by_month[event[0].replace(day=1)].append(event)
    for _month, events in sorted(by_month.items()):
        # One transaction per calendar month: small enough to keep locks short, few commits.
        with transaction.atomic(durable=True):
            for business_on, kind, index, month in events:
                if kind in (_DEPOSIT, _BACKPAY):
                    poster.deposit(index, month, business_on, back_payment=kind == _BACKPAY)
                elif kind == _PARTIAL:
                    poster.partial(index, business_on)
                elif kind == _SEAL:
                    accounts[index] = seal_account_in_transaction(
                        account=accounts[index], sealed_on=business_on, actor=None
                    )
                elif kind == _PAYOUT:
                    poster.payout(index, business_on)
                elif kind == _CLOSE:
                    poster.flush()
                    accounts[index] = close_account_in_transaction(
                        account=accounts[index],
                        status=_CLOSING[plan.people[index].fate][1],
                        closed_on=business_on,
                        actor=None,
                    )
                else:
                    frozen.append((index, business_on))
            poster.flush()
    _freeze(accounts, frozen)
    for employer_index, month in poster.paid_months.items():
        plan.employers[employer_index].paid_up_to = month
    return poster.entries, poster.lines


def _freeze(accounts: dict[int, FundAccount], frozen: list[tuple[int, date]]) -> None:
    if not frozen:
        return
    with transaction.atomic(durable=True):
        events = []
        for index, frozen_on in frozen:
            account = accounts[index]
            changed = FundAccount.objects.filter(pk=account.pk, status=AccountStatus.NORMAL).update(
                status=AccountStatus.FROZEN
            )
            if changed:
                account.status = AccountStatus.FROZEN
                events.append(
                    PendingEvent(
                        actor=None,
                        actor_label=ACTOR_LABEL,
                        action="demo.account_frozen",
                        target=account,
                        summary=f"Account {account.account_no} frozen (demo: a court freeze)",
                        data={"frozen_on": frozen_on.isoformat()},
                    )
                )
        record_events(events)


def _record_unit_states(plan: CityPlan, employers: dict[int, Employer]) -> None:
    """Each unit's 缴至年月 and its final status (03/04/05), which no service sets yet."""
    changed = []
    events = []
    for planned in plan.employers:
        employer = employers[planned.index]
        if planned.paid_up_to is None and planned.status == employer.status:
            continue
        employer.paid_up_to = planned.paid_up_to
        employer.status = planned.status
        changed.append(employer)
        paid = f"{employer.paid_up_to:%Y-%m}" if employer.paid_up_to else "never"
        events.append(
            PendingEvent(
                actor=None,
                actor_label=ACTOR_LABEL,
                action="demo.unit_state_set",
                target=employer,
                summary=f"Unit {employer.unit_account_no}: status {employer.status}, paid up to {paid}",
                data={
                    "status": employer.status,
                    "paid_up_to": employer.paid_up_to.isoformat() if employer.paid_up_to else None,
                    "stopped_on": planned.stopped_on.isoformat() if planned.stopped_on else None,
                },
            )
        )
    with transaction.atomic(durable=True):
        Employer.objects.bulk_update(changed, ["paid_up_to", "status"], batch_size=500)
        record_events(events)


def _create_employer_logins(
    plan: CityPlan, employers: dict[int, Employer], passwords: random.Random, logins: list[DemoLogin]
) -> None:
    # The largest unit: its monthly list is long enough to show paging and bulk checks.
    employer = employers[max(plan.employers, key=lambda planned: planned.size).index]
    calls = []
    for role, prefix in ((roles.EMPLOYER_PREPARER, "preparer"), (roles.EMPLOYER_APPROVER, "approver")):
        username = f"{prefix}-{employer.unit_account_no}"
        password = demo_password(passwords)
        calls.append(
            partial(
                create_operator,
                username=username,
                password=password,
                role=role,
                employer=employer,
                actor=None,
            )
        )
        title = "经办人" if role == roles.EMPLOYER_PREPARER else "审核人"
        logins.append(DemoLogin(role, None, username, password, title, employer.name))
    _give_operators_mobiles(_in_parallel(calls))


# Outside the prefixes demo people draw from (demo.names.MOBILE_PREFIXES): no person shares them.
OPERATOR_MOBILES = ("19900000001", "19900000002")


def _give_operators_mobiles(operators: list[User]) -> None:
    """Operators get their login code by text on a new device, so each needs a mobile on file."""
    with transaction.atomic(durable=True):
        for user, mobile in zip(operators, OPERATOR_MOBILES, strict=True):
            User.objects.filter(pk=user.pk).update(mobile=mobile)
        record_events(
            [
                PendingEvent(
                    actor=None,
                    actor_label=ACTOR_LABEL,
                    action="demo.operator_mobile_set",
                    target=user,
                    summary=f"Demo operator {user.username} given a sandbox mobile",
                )
                for user in operators
            ]
        )


def _create_persona_logins(
    plan: CityPlan,
    people: dict[int, Person],
    employers: dict[int, Employer],
    passwords: random.Random,
    logins: list[DemoLogin],
) -> None:
    planned_by_persona = {person.persona: person for person in plan.people if person.persona is not None}
    rows = []
    calls = []
    for persona in Persona.values:
        planned = planned_by_persona[persona]
        person = people[planned.index]
        password = demo_password(passwords)
        calls.append(partial(create_employee_login, person=person, password=password, actor=None))
        rows.append(DemoPersona(person=person, persona=persona))
        logins.append(
            DemoLogin(
                roles.EMPLOYEE,
                persona,
                planned.id_number,
                password,
                planned.name,
                employers[planned.employer].name,
            )
        )
    _in_parallel(calls)
    with transaction.atomic(durable=True):
        created = DemoPersona.objects.bulk_create(rows)
        record_events(
            [
                PendingEvent(
                    actor=None,
                    actor_label=ACTOR_LABEL,
                    action="demo.persona_assigned",
                    target=row.person,
                    summary=f"Person {row.person.masked_id_number} plays the demo persona {row.persona}",
                    data={"persona": row.persona},
                )
                for row in created
            ]
        )


def _in_parallel(calls: list) -> list:
    """Run the login services two or more at a time; their PBKDF2 hashing releases the GIL.

    Each creation is its own durable transaction, so the threads need no coordination; inside
    a caller's transaction (tests) they run one after another on the caller's connection.
    """
    if connection.in_atomic_block or len(calls) < 2:
        return [call() for call in calls]

    def run(call):
        try:
            return call()
        finally:
            connection.close()  # this thread's own connection

    with ThreadPoolExecutor(max_workers=min(len(calls), max(2, os.cpu_count() or 2))) as pool:
        return list(pool.map(run, calls))


def _noon(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(12)))


# --- Appointments: the counters, the services booked there, their hours and the weekend rota
# (DOMAIN.md §11) ---

DEMO_COUNTERS = (
    ("siming", "思明服务网点", "Siming counter", "厦门市思明区湖滨南路88号", "88 Hubin South Road, Siming"),
    ("huli", "湖里服务网点", "Huli counter", "厦门市湖里区长乐路12号", "12 Changle Road, Huli"),
    ("jimei", "集美服务网点", "Jimei counter", "厦门市集美区杏林湾路8号", "8 Xinglinwan Road, Jimei"),
    ("haicang", "海沧服务网点", "Haicang counter", "厦门市海沧区沧林路6号", "6 Canglin Road, Haicang"),
    (
        "tongan",
        "同安服务网点",
        "Tong'an counter",
        "厦门市同安区环城南路20号",
        "20 Huancheng South Road, Tong'an",
    ),
)
# (code, name, English name, slot minutes, the counters offering it: None for every counter).
# LOAN_SIGNING is the code the service catalogue books loan-contract signing (贷款面签) under.
DEMO_BOOKABLE_SERVICES = (
    ("LOAN_SIGNING", "公积金贷款合同签订", "Signing a housing-loan contract", 30, None),
    ("WITHDRAWAL_ADVICE", "提取业务咨询", "Advice on withdrawals", 20, None),
    ("DEATH_WITHDRAWAL", "死亡提取（继承人）", "Withdrawal after a death (heirs)", 60, ("siming", "huli")),
    ("EMPLOYER_OPENING", "单位开户", "Opening an employer account", 30, ("siming", "huli", "jimei")),
    ("DOCUMENT_CHECK", "材料核验", "Checking documents", 15, None),
)
# The weekend rota (周末轮班) of the next two weeks: Siming on Saturdays, Huli on Sundays, 9:00–12:00.
DEMO_ROTA_WEEKS = 2
DEMO_ROTA = (("siming", 5), ("huli", 6))


def seed_appointment_counters(*, today: date) -> None:
    """Counters open Monday–Friday 9:00–12:00 and 13:00–17:00 for the bookable services, two
    places a slot, and the next weeks' weekend rota. Safe to run again: it only adds (a week that
    already has a rota is left as staff planned it)."""
    from datetime import timedelta

    from appointments.models import (
        ROTA_NOTE,
        BookableService,
        Counter,
        CounterDay,
        CounterService,
        OpeningHours,
    )
    from appointments.rota import Opening, monday_of, plan_weekend_rota, weekend_rota

    with transaction.atomic(durable=True):
        counters = {}
        for code, name, name_en, address, address_en in DEMO_COUNTERS:
            counter, created = Counter.objects.get_or_create(
                code=code,
                defaults={"name": name, "name_en": name_en, "address": address, "address_en": address_en},
            )
            counters[code] = counter
            if created:
                OpeningHours.objects.bulk_create(
                    OpeningHours(counter=counter, weekday=weekday, opens_at=opens_at, closes_at=closes_at)
                    for weekday in range(5)
                    for opens_at, closes_at in ((time(9), time(12)), (time(13), time(17)))
                )
        for code, name, name_en, slot_minutes, offered_at in DEMO_BOOKABLE_SERVICES:
            service, _created = BookableService.objects.get_or_create(
                code=code, defaults={"name": name, "name_en": name_en, "slot_minutes": slot_minutes}
            )
            for counter_code in offered_at or counters:
                CounterService.objects.get_or_create(counter=counters[counter_code], service=service)
    for week in range(1, DEMO_ROTA_WEEKS + 1):
        monday = monday_of(today) + timedelta(weeks=week)
        if CounterDay.objects.filter(
            note=ROTA_NOTE, date__range=(monday, monday + timedelta(days=6))
        ).exists():
            continue
        rota_days = {entry.day for entry in weekend_rota(monday).days}  # not an adjusted working Saturday
        openings = [Opening(code, monday + timedelta(days=weekday)) for code, weekday in DEMO_ROTA]
        openings = [opening for opening in openings if opening.day in rota_days]
        plan_weekend_rota(week=monday, openings=openings, actor=None)


# --- Loans: the director delegates final approval (终审) to the deputy director (DOMAIN.md §7) ---

DEMO_DELEGATION_DAYS = 365


def seed_final_approval_delegation(*, director: User, deputy: User, today: date) -> None:
    """The demo director delegates final approval to the demo deputy director for a year, any
    amount, through the audited service. Safe to run again: nothing is added while one is in force."""
    from datetime import timedelta

    from loans.approval import create_final_approval_delegation, delegations_in_force

    if delegations_in_force(delegate=deputy, on=today).filter(delegator=director).exists():
        return
    create_final_approval_delegation(
        actor=director,
        delegate_id=deputy.pk,
        valid_from=today,
        valid_until=today + timedelta(days=DEMO_DELEGATION_DAYS),
    )
