"""The demo city as a plan in memory: who works where, since when, and what happened to each account.

Nothing here touches the database. :func:`plan_city` draws everything from one
``random.Random(seed)`` and dates relative to ``today``, so the same seed on the same day gives
the same city; ``demo.services.seed_city`` then writes the plan through the services of
``accounts`` and ``ledger``. Amounts that depend on balances (withdrawals) are computed while
posting, from the running balances, so the plan only says *when* and *how much of it*.
"""

from __future__ import annotations

import random
import string
from bisect import bisect
from dataclasses import dataclass, field
from datetime import date, timedelta
from itertools import accumulate

from core.identity import CREDIT_CODE_ALPHABET, luhn_check_digit, make_credit_code, make_resident_id
from demo import names
from demo.models import Persona

WINDOW_MONTHS = 24
BASE_FLOOR = 203000  # fen; the seeded ``deposit.base.floor``
BASE_CAP = 3100000  # fen; the seeded ``deposit.base.cap``

# Fates of a personal account (the status it ends in, and how it got there).
NORMAL = "normal"
SEALED = "sealed"
CLOSED_WITHDRAWAL = "closed_withdrawal"  # sealed, then 销户提取 (12), then 05
CLOSED_TRANSFER = "closed_transfer"  # sealed, then 外部转出 (07), then 04
CLOSED_MERGED = "closed_merged"  # opened and merged away before any deposit, 03
FROZEN = "frozen"  # 06, deposits go on
FATES = (SEALED, CLOSED_WITHDRAWAL, CLOSED_TRANSFER, CLOSED_MERGED, FROZEN)

# Unit account statuses (accounts.models.EmployerStatus values).
UNIT_NORMAL, UNIT_OPENED, UNIT_DEFERRED, UNIT_CLOSED, UNIT_SEALED = "01", "02", "03", "04", "05"

# Walk-ins: units 市场监管 knows (存续, and one 注销) and people 公安 knows, none of them known to the
# centre yet, so that a visitor can try registering a unit online and adding an employee.
WALK_IN_UNITS = 5
WALK_IN_PEOPLE = 6

# The married couple (couple_buyer, couple_spouse): ages on the seeding day, and wider ones should a
# small city have nobody of the first (a woman retires at 55 in the sandbox, a loan ends by 65).
COUPLE_AGES = {Persona.COUPLE_BUYER: (25, 40), Persona.COUPLE_SPOUSE: (23, 45)}
COUPLE_WIDER_AGES = (22, 50)

SEALED_PERSONAS = {
    Persona.LEAVER_SEALED_7_MONTHS: (7, False),
    Persona.LEAVER_SEALED_3_MONTHS: (3, False),
    Persona.LOCAL_LEAVER_SEALED_7_MONTHS: (7, True),
}


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later (or earlier), clamped to the end of a shorter month."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return date(year, month, min(day.day, candidate))
        except ValueError:
            continue
    raise AssertionError("unreachable")


@dataclass
class PlannedEmployer:
    index: int
    name: str
    credit_code: str
    checksum_ok: bool
    confirmed: bool
    bank_name: str
    bank_account_no: str
    employer_rate_bp: int
    employee_rate_bp: int
    pay_day: int
    status: str = UNIT_NORMAL
    size: int = 0
    # 03: the first month not paid; 04/05: the day it stopped (its employees are sealed by then).
    deferred_from: date | None = None
    stopped_on: date | None = None
    # Months first missed, then paid as 补缴 on backpaid_on.
    missed_months: tuple[date, ...] = ()
    backpaid_on: date | None = None
    # 缴至年月, filled in while the history is posted.
    paid_up_to: date | None = None

    def pays_in(self, month: date) -> bool:
        if self.status == UNIT_OPENED:
            return False
        if self.deferred_from is not None and month >= self.deferred_from:
            return False
        return self.stopped_on is None or self.business_date(month) < self.stopped_on

    def business_date(self, month: date) -> date:
        return month.replace(day=self.pay_day)


@dataclass
class PlannedPerson:
    index: int
    id_number: str
    name: str
    birth_date: date
    mobile: str
    hukou_region: str
    bank_card: str | None
    card_verified: bool
    employer: int | None = None
    base: int = 0
    opened_on: date | None = None
    fate: str = NORMAL
    sealed_on: date | None = None
    closed_on: date | None = None
    # Business date of the closing withdrawal or transfer out (before closed_on).
    payout_on: date | None = None
    frozen_on: date | None = None
    partial_withdrawals: list[date] = field(default_factory=list)
    persona: str | None = None

    @property
    def stopped_on(self) -> date | None:
        """The first day no deposit may land: sealed or closed, whichever came first."""
        return self.sealed_on or self.closed_on

    def paid_on(self, business_on: date) -> bool:
        return (
            self.opened_on is not None
            and self.opened_on <= business_on
            and (self.stopped_on is None or business_on < self.stopped_on)
        )


@dataclass
class WalkInUnit:
    """A unit registered with 市场监管 but not with the centre; a cancelled (注销) one is refused."""

    name: str
    credit_code: str
    registered_on: date
    cancelled: bool
    bank_name: str
    bank_account_no: str


@dataclass
class CityPlan:
    seed: int
    today: date
    window_start: date
    months: list[date]
    employers: list[PlannedEmployer]
    people: list[PlannedPerson]
    walk_in_units: list[WalkInUnit] = field(default_factory=list)
    # Known to 公安 (and the sandbox's other sources), not registered with the centre: no account.
    walk_in_people: list[PlannedPerson] = field(default_factory=list)

    def members(self, employer: PlannedEmployer) -> list[PlannedPerson]:
        return [person for person in self.people if person.employer == employer.index]


class _Draw:
    """The city's random choices, all from one ``random.Random``."""

    def __init__(self, seed: int, today: date):
        self.rng = random.Random(seed)
        self.today = today
        self.ids: set[str] = set()
        self.codes: set[str] = set()
        self.unit_names: set[str] = set()
        self._surnames, weights = zip(*names.SURNAMES, strict=True)
        self._surname_cum = list(accumulate(weights))

    def day_between(self, start: date, end: date) -> date:
        if end <= start:
            return start
        return start + timedelta(days=self.rng.randint(0, (end - start).days))

    def surname(self) -> str:
        return self._surnames[bisect(self._surname_cum, self.rng.random() * self._surname_cum[-1])]

    def name(self, sex: str) -> str:
        given = names.MALE_GIVEN if sex == "M" else names.FEMALE_GIVEN
        text = self.rng.choice(given)
        if len(text) == 1 and self.rng.random() < 0.7:
            text += self.rng.choice(given)[0]
        return self.surname() + text

    def birth_date(self) -> date:
        # Working ages, most born 1975–2000; a tail towards retirement and the youngest hires.
        year = min(2004, max(1962, round(self.rng.triangular(1962, 2004, 1990))))
        return date(year, self.rng.randint(1, 12), self.rng.randint(1, 28))

    def resident_id(self, region: str, birth: date, *, sex: str | None = None, want_x: bool = False) -> str:
        for _attempt in range(2000):
            sequence = self.rng.randint(0, 999)
            if sex is not None and (sequence % 2 == 1) != (sex == "M"):
                sequence = (sequence + 1) % 1000
            number = make_resident_id(region, birth, sequence)
            if number in self.ids or (want_x and not number.endswith("X")):
                continue
            self.ids.add(number)
            return number
        raise RuntimeError(f"no free ID number for {region} {birth}")

    def mobile(self) -> str:
        return self.rng.choice(names.MOBILE_PREFIXES) + f"{self.rng.randint(0, 99999999):08d}"

    def bank_card(self) -> str:
        bin_, length = self.rng.choice(names.CARD_BINS)
        body = bin_ + "".join(self.rng.choice(string.digits) for _ in range(length - len(bin_) - 1))
        return body + luhn_check_digit(body)

    def base(self) -> int:
        roll = self.rng.random()
        if roll < 0.04:
            return BASE_FLOOR
        if roll < 0.06:
            return BASE_CAP
        # Log-normal around 7,000 yuan: most bases fall between 4,000 and 12,000 yuan.
        yuan = round(self.rng.lognormvariate(8.85, 0.38))
        return min(BASE_CAP, max(BASE_FLOOR, yuan * 100))

    def credit_code(self, *, public: bool, valid: bool) -> str:
        region = self.rng.choice(("350200", *names.LOCAL_REGIONS))
        head = "12" if public else "91"
        while True:
            org = "".join(self.rng.choice(CREDIT_CODE_ALPHABET) for _ in range(9))
            code = make_credit_code(f"{head}{region}{org}")
            if not valid:
                # An early pilot code: right shape, wrong check character.
                wrong = [char for char in CREDIT_CODE_ALPHABET if char != code[-1]]
                code = code[:-1] + self.rng.choice(wrong)
            if code not in self.codes:
                self.codes.add(code)
                return code

    def unit_name(self, rank: int) -> tuple[str, bool]:
        """A unit name and whether it is a public institution (school, hospital, office)."""
        for _attempt in range(200):
            brand = self.rng.choice(names.BRAND_WORDS)
            district = names.DISTRICT_NAMES[self.rng.choice(names.LOCAL_REGIONS)]
            if rank < 5:
                template = self.rng.choice(names.LARGE_UNITS)
                text = template.format(brand=brand, n=self.rng.choice(names.NUMBERS))
                public = "医院" in text or "学院" in text
            else:
                kind = self.rng.random()
                public = False
                if kind < 0.55:
                    trade = self.rng.choice(names.COMPANY_TRADES)
                    text = f"厦门{brand}{trade}有限公司"
                elif kind < 0.65:
                    text = f"厦门市{district}{brand}{self.rng.choice(('小学', '中学', '实验小学', '幼儿园'))}"
                    public = True
                elif kind < 0.72:
                    text = f"厦门{brand}{self.rng.choice(('医院', '口腔医院', '中医门诊部', '眼科医院'))}"
                    public = text.endswith("医院") and self.rng.random() < 0.5
                elif kind < 0.80:
                    text = f"厦门{brand}{self.rng.choice(('大酒店有限公司', '酒店管理有限公司'))}"
                elif kind < 0.90:
                    text = f"厦门{brand}{self.rng.choice(('物流有限公司', '国际货运代理有限公司'))}"
                elif kind < 0.95:
                    text = f"厦门市{district}{brand}街道办事处"
                    public = True
                else:
                    text = f"厦门{brand}{self.rng.choice(('律师事务所', '会计师事务所有限公司'))}"
            if text not in self.unit_names:
                self.unit_names.add(text)
                return text, public
        raise RuntimeError("ran out of unit names")


def _sizes(total: int, count: int) -> list[int]:
    """Employees per unit, largest first: a Zipf draw (a few units of hundreds, a long tail of 1–10)."""
    if count == 0:
        return []
    weights = [1 / (rank + 1) ** 1.15 for rank in range(count)]
    scale = total / sum(weights)
    sizes = [max(1, int(weight * scale)) if total >= count else 0 for weight in weights]
    rank = 0
    while sum(sizes) < total:
        sizes[rank % count] += 1
        rank += 1
    while sum(sizes) > total:
        largest = sizes.index(max(sizes))
        sizes[largest] -= 1
    return sizes


def _plan_employers(draw: _Draw, count: int, months: list[date]) -> list[PlannedEmployer]:
    rng = draw.rng
    employers = []
    for rank in range(count):
        name, public = draw.unit_name(rank)
        rates = (1200, 1200)
        if rank >= 3 and rng.random() < 0.2:
            rates = rng.choice(((1000, 1000), (800, 800), (700, 700), (500, 500), (1200, 1000), (1000, 800)))
        employers.append(
            PlannedEmployer(
                index=rank,
                name=name,
                credit_code=draw.credit_code(public=public, valid=True),
                checksum_ok=True,
                confirmed=False,
                bank_name=rng.choice(names.COLLECTION_BANKS),
                bank_account_no="".join(rng.choice(string.digits) for _ in range(rng.choice((17, 19, 21)))),
                employer_rate_bp=rates[0],
                employee_rate_bp=rates[1],
                pay_day=rng.randint(5, 10),
            )
        )
    # Special cases come from the tail: the big units are ordinary paying units.
    tail = list(range(max(1, count // 5), count))
    rng.shuffle(tail)
    n_legacy = min(5, max(2, count // 60))
    n_unconfirmed = max(1, n_legacy * 2 // 5)
    take = {
        "legacy_unconfirmed": n_unconfirmed,
        "legacy_confirmed": n_legacy - n_unconfirmed,
        UNIT_DEFERRED: max(1, round(count * 0.02)),
        UNIT_CLOSED: max(1, round(count * 0.01)),
        UNIT_SEALED: max(1, round(count * 0.01)),
        "backpay": max(1, round(count * 0.03)),
    }
    for kind, how_many in take.items():
        for _ in range(how_many):
            if not tail:
                break
            employer = employers[tail.pop()]
            if kind.startswith("legacy"):
                employer.credit_code = draw.credit_code(public=False, valid=False)
                employer.checksum_ok = False
                employer.confirmed = kind == "legacy_confirmed"
                if not employer.confirmed:
                    employer.status = UNIT_OPENED
            elif kind == UNIT_DEFERRED:
                employer.status = UNIT_DEFERRED
                employer.deferred_from = months[-rng.randint(3, 8)]
            elif kind in (UNIT_CLOSED, UNIT_SEALED):
                employer.status = kind
                employer.stopped_on = draw.day_between(
                    add_months(months[0], 6), draw.today - timedelta(days=60)
                )
            else:
                first = rng.randint(3, len(months) - 6)
                span = rng.randint(1, 3)
                employer.missed_months = tuple(months[first : first + span])
                employer.backpaid_on = add_months(employer.missed_months[-1], 1).replace(day=20)
    return employers


def _plan_people(draw: _Draw, count: int) -> list[PlannedPerson]:
    rng = draw.rng
    people = []
    for index in range(count):
        birth = draw.birth_date()
        local = rng.random() < 0.56
        region = rng.choice(names.LOCAL_REGIONS if local else names.OTHER_REGIONS)
        # About one in six numbers is drawn to end in X (naturally one in eleven).
        number = draw.resident_id(region, birth, want_x=rng.random() < 0.08)
        sex = "M" if int(number[16]) % 2 else "F"
        # Some newcomers have moved their hukou to the city since the ID was issued.
        hukou = region if local or rng.random() > 0.07 else rng.choice(names.LOCAL_REGIONS)
        has_card = rng.random() < 0.93
        people.append(
            PlannedPerson(
                index=index,
                id_number=number,
                name=draw.name(sex),
                birth_date=birth,
                mobile=draw.mobile(),
                hukou_region=hukou,
                bank_card=draw.bank_card() if has_card else None,
                card_verified=has_card and rng.random() < 0.95,
            )
        )
    return people


def _employ(draw: _Draw, plan: CityPlan, people: list[PlannedPerson]) -> None:
    """Give each person with an account a unit, a base, an opening date and a fate."""
    rng = draw.rng
    sizes = _sizes(len(people), len(plan.employers))
    slots = [
        employer.index for employer, size in zip(plan.employers, sizes, strict=True) for _ in range(size)
    ]
    rng.shuffle(slots)
    window_start, today = plan.window_start, plan.today
    for person, slot in zip(people, slots, strict=True):
        employer = plan.employers[slot]
        employer.size += 1
        person.employer = slot
        person.base = draw.base()
        adult = add_months(person.birth_date, 18 * 12)
        if employer.status == UNIT_OPENED:
            # A unit still waiting for its credit code to be confirmed: accounts opened, nothing paid.
            person.opened_on = today - timedelta(days=rng.randint(5, 40))
            continue
        if rng.random() < 0.6:
            person.opened_on = draw.day_between(max(adult, window_start - timedelta(days=3650)), window_start)
        else:
            person.opened_on = draw.day_between(max(adult, window_start), today - timedelta(days=20))
        if employer.stopped_on is not None:
            # Everyone of a closed or sealed unit was sealed when it stopped.
            if person.opened_on >= employer.stopped_on - timedelta(days=45):
                person.opened_on = draw.day_between(window_start - timedelta(days=900), window_start)
            person.fate = SEALED
            person.sealed_on = employer.stopped_on - timedelta(days=rng.randint(0, 15))
            if rng.random() < 0.3:
                _close_after_seal(draw, person, CLOSED_TRANSFER)
            continue
        roll = rng.random()
        if roll < 0.08:
            _seal(draw, plan, person)
        elif roll < 0.11:
            _seal(draw, plan, person, latest=today - timedelta(days=200))
            _close_after_seal(draw, person, CLOSED_WITHDRAWAL)
        elif roll < 0.125:
            _seal(draw, plan, person, latest=today - timedelta(days=130))
            _close_after_seal(draw, person, CLOSED_TRANSFER)
        elif roll < 0.13:
            _merge(draw, plan, person, employer)
        elif roll < 0.14:
            _freeze(draw, person)
        elif roll < 0.18 and person.opened_on < window_start:
            _partial_withdrawals(draw, plan, person)


def _seal(draw: _Draw, plan: CityPlan, person: PlannedPerson, *, latest: date | None = None) -> None:
    earliest = max(person.opened_on + timedelta(days=31), plan.window_start + timedelta(days=15))
    latest = latest or plan.today - timedelta(days=3)
    if earliest > latest:
        person.opened_on = draw.day_between(plan.window_start - timedelta(days=700), plan.window_start)
        earliest = plan.window_start + timedelta(days=15)
    person.fate = SEALED
    person.sealed_on = draw.day_between(earliest, latest)


def _close_after_seal(draw: _Draw, person: PlannedPerson, fate: str) -> None:
    # Leaving the city needs six months sealed; a transfer out goes within weeks.
    low, high = (183, 420) if fate == CLOSED_WITHDRAWAL else (20, 120)
    payout_on = person.sealed_on + timedelta(days=draw.rng.randint(low, high))
    payout_on = min(payout_on, draw.today - timedelta(days=1))
    if payout_on <= person.sealed_on:
        return
    person.fate = fate
    person.payout_on = payout_on
    person.closed_on = payout_on


def _merge(draw: _Draw, plan: CityPlan, person: PlannedPerson, employer: PlannedEmployer) -> None:
    # A duplicate opening merged away before the unit's first payment for it: nothing to move.
    month = draw.rng.choice(plan.months[:-2])
    person.opened_on = employer.business_date(month) + timedelta(days=1)
    person.closed_on = person.opened_on + timedelta(days=10)
    person.fate = CLOSED_MERGED


def _freeze(draw: _Draw, person: PlannedPerson) -> None:
    person.fate = FROZEN
    person.frozen_on = draw.day_between(
        max(person.opened_on, draw.today - timedelta(days=180)), draw.today - timedelta(days=1)
    )


def _partial_withdrawals(draw: _Draw, plan: CityPlan, person: PlannedPerson) -> None:
    for _ in range(draw.rng.randint(1, 2)):
        person.partial_withdrawals.append(
            draw.day_between(plan.window_start + timedelta(days=90), plan.today - timedelta(days=2))
        )
    person.partial_withdrawals.sort()


def _candidates(plan: CityPlan, people: list[PlannedPerson]) -> list[PlannedPerson]:
    """People whose history is plain: at a paying unit without gaps, since before the window, normal."""
    return [
        person
        for person in people
        if person.persona is None
        and person.fate == NORMAL
        and not person.partial_withdrawals
        and person.opened_on < plan.window_start
        and plan.employers[person.employer].status == UNIT_NORMAL
        and not plan.employers[person.employer].missed_months
    ]


def _sex_of(person: PlannedPerson) -> str:
    return "M" if int(person.id_number[16]) % 2 else "F"


def _age_on(person: PlannedPerson, day: date) -> int:
    birth = person.birth_date
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def _couple_pool(plan: CityPlan, pool: list[PlannedPerson], persona: str) -> list[PlannedPerson]:
    """The couple's candidates: of an age to borrow for twenty years and far from retirement, the
    spouse of the other sex than the buyer; wider ages when the city has nobody of those."""
    buyer = None
    if persona == Persona.COUPLE_SPOUSE:
        buyer = next(person for person in plan.people if person.persona == Persona.COUPLE_BUYER)
    for low, high in (COUPLE_AGES[persona], COUPLE_WIDER_AGES):
        chosen = [
            person
            for person in pool
            if low <= _age_on(person, plan.today) <= high
            and (buyer is None or _sex_of(person) != _sex_of(buyer))
        ]
        if chosen:
            return chosen
    return []


def _assign_personas(draw: _Draw, plan: CityPlan, people: list[PlannedPerson]) -> None:
    rng = draw.rng
    for persona in Persona.values:
        pool = _candidates(plan, people)
        if persona in COUPLE_AGES:
            pool = _couple_pool(plan, pool, persona)
        if not pool:
            raise ValueError("the city is too small for every persona: add persons")
        person = rng.choice(pool)
        person.persona = persona
        if persona == Persona.RETIREE:
            # Born in 1965: a man of 60, the retirement age of the old rules.
            _renumber(draw, person, birth=date(1965, rng.randint(1, 12), rng.randint(1, 28)), sex="M")
        if persona in SEALED_PERSONAS:
            months_ago, local = SEALED_PERSONAS[persona]
            region = rng.choice(names.LOCAL_REGIONS if local else names.OTHER_REGIONS)
            _renumber(draw, person, region=region)
            person.hukou_region = region
            person.fate = SEALED
            person.sealed_on = add_months(plan.today, -months_ago)
        if person.bank_card is None:
            person.bank_card = draw.bank_card()
        person.card_verified = True


def _renumber(draw: _Draw, person: PlannedPerson, *, region=None, birth=None, sex=None) -> None:
    draw.ids.discard(person.id_number)
    region = region or person.id_number[:6]
    birth = birth or person.birth_date
    sex = sex or ("M" if int(person.id_number[16]) % 2 else "F")
    person.id_number = draw.resident_id(region, birth, sex=sex)
    person.birth_date = birth


def _ensure_every_fate(draw: _Draw, plan: CityPlan, people: list[PlannedPerson]) -> None:
    """A small city may miss a status by chance; give each missing fate to a plain account."""
    for fate in FATES:
        if any(person.fate == fate for person in people):
            continue
        pool = _candidates(plan, people)
        if not pool:
            continue
        person = draw.rng.choice(pool)
        employer = plan.employers[person.employer]
        if fate == SEALED:
            _seal(draw, plan, person)
        elif fate == CLOSED_WITHDRAWAL:
            _seal(draw, plan, person, latest=plan.today - timedelta(days=200))
            _close_after_seal(draw, person, CLOSED_WITHDRAWAL)
        elif fate == CLOSED_TRANSFER:
            _seal(draw, plan, person, latest=plan.today - timedelta(days=130))
            _close_after_seal(draw, person, CLOSED_TRANSFER)
        elif fate == CLOSED_MERGED:
            _merge(draw, plan, person, employer)
        else:
            _freeze(draw, person)


def _plan_walk_ins(draw: _Draw, plan: CityPlan) -> None:
    """The walk-in units and people, from their own ``random.Random``: the city is the same with
    or without them, and the shared sets of numbers, codes and names keep them apart from it."""
    draw.rng = rng = random.Random(f"walk-ins:{plan.seed}")
    for rank in range(WALK_IN_UNITS + 1):
        cancelled = rank == WALK_IN_UNITS
        # Ranks from 5 on draw the ordinary names (companies, schools, shops), not the largest units'.
        name, public = draw.unit_name(5 + rank)
        if cancelled:
            registered_on = draw.day_between(date(2005, 1, 1), date(2015, 12, 31))
        else:
            # Young units: opening a fund account is among the first things a new unit does.
            registered_on = draw.day_between(add_months(plan.today, -18), plan.today - timedelta(days=7))
        plan.walk_in_units.append(
            WalkInUnit(
                name=name,
                credit_code=draw.credit_code(public=public, valid=True),
                registered_on=registered_on,
                cancelled=cancelled,
                bank_name=rng.choice(names.COLLECTION_BANKS),
                bank_account_no="".join(rng.choice(string.digits) for _ in range(19)),
            )
        )
    for position in range(WALK_IN_PEOPLE):
        local = position % 2 == 0
        region = rng.choice(names.LOCAL_REGIONS if local else names.OTHER_REGIONS)
        birth = date(rng.randint(1978, 2003), rng.randint(1, 12), rng.randint(1, 28))
        sex = rng.choice("MF")
        plan.walk_in_people.append(
            PlannedPerson(
                index=len(plan.people) + position,
                id_number=draw.resident_id(region, birth, sex=sex),
                name=draw.name(sex),
                birth_date=birth,
                mobile=draw.mobile(),
                hukou_region=region,
                bank_card=None,
                card_verified=False,
            )
        )


def plan_city(*, persons: int, employers: int, seed: int, today: date) -> CityPlan:
    """Draw a demo city of ``persons`` people and ``employers`` units (see the module docstring)."""
    if employers < 1 or persons < max(30, employers):
        raise ValueError("a demo city needs at least one unit, 30 people and one person per unit")
    draw = _Draw(seed, today)
    current = today.replace(day=1)
    window_start = add_months(current, -WINDOW_MONTHS)
    months = [add_months(window_start, offset) for offset in range(WINDOW_MONTHS + 1)]
    planned_employers = _plan_employers(draw, employers, months)
    people = _plan_people(draw, persons)
    plan = CityPlan(
        seed=seed,
        today=today,
        window_start=window_start,
        months=months,
        employers=planned_employers,
        people=people,
    )
    # About one in a hundred registered people has no account yet (registered, not yet hired).
    without = max(1, round(persons * 0.01))
    with_account = people[:-without]
    _employ(draw, plan, with_account)
    _ensure_every_fate(draw, plan, with_account)
    _assign_personas(draw, plan, with_account)
    _plan_walk_ins(draw, plan)
    return plan
