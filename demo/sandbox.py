"""Fill the government-data sandbox from the demo city plan, consistently with it and its personas.

Every planned person gets a ``SandboxCitizen`` (公安 hukou, 民政 marriage, 社保 employment and
retirement, 就业管理, the credit bureau's summary), every unit a ``SandboxUnit``, and so do the
plan's walk-ins, the units and people the centre does not know yet; some
households own homes (``SandboxProperty``) and some have loans (``SandboxLoan``). The personas
of ``demo.models.Persona`` get exactly the records that make their case true (CONTRACT.md).
Random choices come from their own ``random.Random``, so the city's plan is unchanged.

The married couple (``couple_buyer`` and ``couple_spouse``) came last to the demo: while the
city's records are drawn they are drawn as anyone else, so every other record (and every other
persona's) is what it was before; then :meth:`_Filler.couple_records` rewrites theirs — married
to each other (a spouse the draws gave either is left single), no loan, no overdue, no other
home — and files their joint purchase contract, with draws after all the others.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from django.conf import settings
from django.db import transaction

from core.crypto import blind_index
from demo import names
from demo.city import (
    CLOSED_MERGED,
    NORMAL,
    UNIT_CLOSED,
    CityPlan,
    PlannedPerson,
    add_months,
)
from demo.loan import disbursement_day, repayer_loan_terms
from demo.models import Persona
from integrations.gov import ports
from integrations.models import (
    MaritalStatus,
    SandboxCitizen,
    SandboxLoan,
    SandboxProperty,
    SandboxPropertyOwner,
    SandboxUnit,
)

BATCH = 1000
THIS_CENTRE_NAME = "厦门市住房公积金管理中心"
BANKS = ("中国建设银行厦门市分行", "中国工商银行厦门市分行", "兴业银行厦门分行", "厦门银行")
ROADS = ("莲前西路", "湖滨南路", "嘉禾路", "仙岳路", "吕岭路", "环岛东路", "集美大道", "翔安南路", "海沧大道")
BUYER_PRICE = 300_000_000  # fen: 3,000,000 yuan
BUYER_LOAN = 210_000_000  # fen: 70% of the price
COUPLE_PRICE = 200_000_000  # fen: 2,000,000 yuan, the couple's first home
COUPLE_LOAN = 80_000_000  # fen: the fund loan the contract expects
COUPLE = (Persona.COUPLE_BUYER, Persona.COUPLE_SPOUSE)


def _age_on(birth: date, day: date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def _sex(person: PlannedPerson) -> str:
    return "M" if int(person.id_number[16]) % 2 else "F"


def _drawn_as_anyone(person: PlannedPerson) -> bool:
    """Is ``person`` drawn for like a person without a persona? The couple is (see the module's doc)."""
    return person.persona is None or person.persona in COUPLE


class _Filler:
    def __init__(self, plan: CityPlan):
        self.plan = plan
        self.today = plan.today
        self.rng = random.Random(f"sandbox:{plan.seed}")
        self.centre = settings.FUND_CENTRE_CODE
        self.citizens: dict[int, SandboxCitizen] = {}
        self.spouse: dict[int, PlannedPerson] = {}
        self.homes: list[tuple[SandboxProperty, list[PlannedPerson]]] = []
        self.homes_numbered = 0
        self.loans: list[SandboxLoan] = []
        self.persona = {p.persona: p for p in plan.people if p.persona is not None}

    def day_between(self, start: date, end: date) -> date:
        if end <= start:
            return start
        return start + timedelta(days=self.rng.randint(0, (end - start).days))

    # --- people ----------------------------------------------------------------------------

    def citizen(self, person: PlannedPerson) -> SandboxCitizen:
        adult = add_months(person.birth_date, 18 * 12)
        native = person.hukou_region == person.id_number[:6]
        citizen = SandboxCitizen(
            id_number=person.id_number,
            id_number_index=blind_index(person.id_number),
            name=person.name,
            hukou_region=person.hukou_region,
            hukou_since=person.birth_date
            if native
            else self.day_between(adult, self.today - timedelta(days=400)),
        )
        if person.employer is not None:
            employer = self.plan.employers[person.employer]
            citizen.employer_credit_code = employer.credit_code
            citizen.employer_name = employer.name
            citizen.employed_since = max(adult, person.opened_on - timedelta(days=self.rng.randint(0, 25)))
            if person.fate not in (NORMAL, CLOSED_MERGED) and person.sealed_on is not None:
                # Sealed (or closed after a seal): the job ended when the account was sealed.
                citizen.employment_ended_on = person.sealed_on
        retirement_age = 60 if _sex(person) == "M" else 55
        if _age_on(person.birth_date, self.today) >= retirement_age:
            citizen.retired = True
            citizen.retired_on = add_months(person.birth_date, retirement_age * 12)
            if citizen.employed_since and citizen.employment_ended_on is None:
                citizen.employment_ended_on = max(citizen.retired_on, citizen.employed_since)
        if (
            _drawn_as_anyone(person)
            and citizen.employment_ended_on is not None
            and not citizen.retired
            and self.rng.random() < 0.3
        ):
            citizen.unemployment_registered_on = citizen.employment_ended_on + timedelta(
                days=self.rng.randint(3, 40)
            )
        if _drawn_as_anyone(person):
            if self.rng.random() < 0.05:
                citizen.overdue_months_last_24 = self.rng.randint(1, 3)
            if self.rng.random() < 0.15:
                citizen.other_monthly_debt = self.rng.randint(800, 3500) * 100
        return citizen

    def marry(self, one: PlannedPerson, other: PlannedPerson) -> None:
        start = max(add_months(one.birth_date, 22 * 12), add_months(other.birth_date, 22 * 12))
        married_on = self.day_between(start, self.today - timedelta(days=90))
        for a, b in ((one, other), (other, one)):
            citizen = self.citizens[a.index]
            citizen.marital_status = MaritalStatus.MARRIED
            citizen.spouse_id_number = b.id_number
            citizen.spouse_id_number_index = blind_index(b.id_number)
            citizen.married_on = married_on
            self.spouse[a.index] = b

    def pair_spouses(self) -> None:
        # The spouse_owns_home persona first: married to a person who plays no persona.
        chosen = self.persona[Persona.SPOUSE_OWNS_HOME]
        partners = [
            p
            for p in self.plan.people
            if _drawn_as_anyone(p) and _sex(p) != _sex(chosen) and _age_on(p.birth_date, self.today) >= 22
        ] or [p for p in self.plan.people if _drawn_as_anyone(p)]
        partner = self.rng.choice(partners)
        if partner.persona is not None:
            # One of the couple, who marry each other: another partner, with one more draw.
            partner = self.rng.choice(
                [p for p in partners if p.persona is None]
                or [p for p in self.plan.people if p.persona is None]
            )
        self.marry(chosen, partner)
        adults = [
            p
            for p in self.plan.people
            if p.index not in self.spouse
            and _age_on(p.birth_date, self.today) >= 24
            and self.rng.random() < 0.6
        ]
        men = [p for p in adults if _sex(p) == "M"]
        women = [p for p in adults if _sex(p) == "F"]
        self.rng.shuffle(women)
        for man, woman in zip(men, women, strict=False):
            self.marry(man, woman)
        for person in self.plan.people:
            citizen = self.citizens[person.index]
            if person.index not in self.spouse and _age_on(person.birth_date, self.today) >= 30:
                roll = self.rng.random()
                if roll < 0.08:
                    citizen.marital_status = MaritalStatus.DIVORCED
                elif roll < 0.10:
                    citizen.marital_status = MaritalStatus.WIDOWED

    # --- homes and loans -------------------------------------------------------------------

    def home(
        self,
        owners: list[PlannedPerson],
        *,
        local: bool,
        kind: str = ports.RESALE_HOME,
        contract_on: date | None = None,
        titled: bool = True,
        price: int | None = None,
        loan_amount: int | None = None,
    ) -> SandboxProperty:
        # Numbered as drawn: the couple's homes from the draws are dropped later, numbers stay unique.
        self.homes_numbered += 1
        n = self.homes_numbered
        region = self.rng.choice(names.LOCAL_REGIONS if local else names.OTHER_REGIONS)
        district = names.DISTRICT_NAMES.get(region, "")
        if price is None:
            per_m2 = self.rng.randint(28_000, 65_000) if local else self.rng.randint(8_000, 25_000)
            price = per_m2 * self.rng.randint(60, 140) * 100
        if loan_amount is None:
            loan_amount = price * self.rng.choice((0, 50, 60, 70)) // 100 // 100_000 * 100_000
        if contract_on is None:
            contract_on = self.day_between(date(2005, 1, 1), self.today - timedelta(days=400))
        home = SandboxProperty(
            property_id=f"SB{region}{self.plan.seed % 1000:03d}{n:06d}",
            region_code=region,
            address=(
                f"{district}{self.rng.choice(ROADS)}{self.rng.randint(1, 999)}号"
                f"{self.rng.randint(1, 30)}{self.rng.randint(1, 4):02d}室"
                if local
                else f"{region} 行政区 {self.rng.randint(1, 999)}号"
            ),
            kind=kind,
            contract_on=contract_on,
            title_on=contract_on + timedelta(days=self.rng.randint(60, 400)) if titled else None,
            price=price,
            loan_amount=loan_amount,
            full_payment=loan_amount == 0,
        )
        self.homes.append((home, owners))
        return home

    def loan(
        self,
        person: PlannedPerson,
        *,
        fund: bool,
        principal: int,
        opened_on: date,
        status: str = ports.REPAYING,
        monthly_payment: int | None = None,
    ) -> None:
        payment = monthly_payment
        if payment is None:
            months = 360 if principal > 50_000_000 else 240
            rate_per_month = 0.026 / 12 if fund else 0.035 / 12
            growth = (1 + rate_per_month) ** months
            # Display data for the sandbox only: these loans are not in the centre's loan book.
            payment = round(principal * rate_per_month * growth / (growth - 1))
        self.loans.append(
            SandboxLoan(
                id_number=person.id_number,
                id_number_index=blind_index(person.id_number),
                kind=ports.FUND_LOAN if fund else ports.COMMERCIAL_LOAN,
                lender=THIS_CENTRE_NAME if fund else self.rng.choice(BANKS),
                principal=principal,
                monthly_payment=payment,
                status=status,
                opened_on=opened_on,
                centre=self.centre if fund else "",
            )
        )

    def household(self, person: PlannedPerson) -> list[PlannedPerson]:
        spouse = self.spouse.get(person.index)
        return [person, spouse] if spouse is not None else [person]

    def personas_homes_and_loans(self) -> set[int]:
        """The personas' records; returns the people to leave out of the random ones."""
        keep_out: set[int] = set()
        for persona in (Persona.RENTER, Persona.BUYER, Persona.LOAN_REPAYER, Persona.OVERDUE_BORROWER):
            keep_out.update(p.index for p in self.household(self.persona[persona]))
        chosen = self.persona[Persona.SPOUSE_OWNS_HOME]
        keep_out.update(p.index for p in self.household(chosen))
        self.home([self.spouse[chosen.index]], local=True)

        buyer = self.persona[Persona.BUYER]
        self.home(
            self.household(buyer),
            local=True,
            kind=ports.NEW_HOME,
            contract_on=self.today - timedelta(days=self.rng.randint(3, 25)),
            titled=False,
            price=BUYER_PRICE,
            loan_amount=BUYER_LOAN,
        )

        # The repayer's loan is in the centre's own loan book too (demo.loan): one set of terms for
        # both, the credit bureau's 月还款额 the contract's first instalment.
        repayer = self.persona[Persona.LOAN_REPAYER]
        lead = self.rng.randint(700, 1500)  # drawn as before, so the later draws stay the same
        disbursed_on = disbursement_day(self.today)
        contract_on = disbursed_on - timedelta(days=30 + lead % 30)
        home = self.home(
            self.household(repayer),
            local=True,
            kind=ports.NEW_HOME,
            contract_on=contract_on,
            loan_amount=None,
        )
        terms = repayer_loan_terms(self.plan, house_price=home.price)
        home.loan_amount = terms.principal
        home.full_payment = False
        self.loan(
            repayer,
            fund=True,
            principal=terms.principal,
            opened_on=terms.disbursed_on,
            monthly_payment=terms.monthly_payment,
        )

        overdue = self.persona[Persona.OVERDUE_BORROWER]
        self.citizens[overdue.index].overdue_months_last_24 = 2
        self.loan(
            overdue,
            fund=False,
            principal=self.rng.randint(3, 10) * 10_000_000,
            opened_on=self.today - timedelta(days=self.rng.randint(400, 1200)),
        )
        return keep_out

    def random_homes_and_loans(self, keep_out: set[int]) -> None:
        seen: set[int] = set(keep_out)
        for person in self.plan.people:
            if person.index in seen or _age_on(person.birth_date, self.today) < 25:
                continue
            household = self.household(person)
            seen.update(p.index for p in household)
            if not all(_drawn_as_anyone(p) for p in household):
                continue
            roll = self.rng.random()
            if roll >= 0.35:
                continue
            home = self.home(household, local=roll < 0.30)
            if home.loan_amount and home.title_on and home.title_on < self.today:
                settled = self.rng.random() < 0.2
                self.loan(
                    person,
                    fund=self.rng.random() < 0.5,
                    principal=home.loan_amount,
                    opened_on=home.title_on,
                    status=ports.SETTLED if settled else ports.REPAYING,
                )

    def couple_records(self) -> None:
        """The couple's records, rewritten after every other (see the module's doc)."""
        buyer, spouse = self.persona[Persona.COUPLE_BUYER], self.persona[Persona.COUPLE_SPOUSE]
        couple = {buyer.index, spouse.index}
        for person in (buyer, spouse):
            former = self.spouse.pop(person.index, None)
            if former is not None and former.index not in couple:
                # Married by the draws to someone else: that person is left single.
                del self.spouse[former.index]
                citizen = self.citizens[former.index]
                citizen.marital_status = MaritalStatus.SINGLE
                citizen.spouse_id_number = None
                citizen.spouse_id_number_index = ""
                citizen.married_on = None
            citizen = self.citizens[person.index]
            citizen.overdue_months_last_24 = 0
            citizen.other_monthly_debt = 0
        numbers = {buyer.id_number, spouse.id_number}
        self.loans = [loan for loan in self.loans if loan.id_number not in numbers]
        self.homes = [
            (home, kept)
            for home, owners in self.homes
            if (kept := [p for p in owners if p.index not in couple])
        ]
        self.marry(buyer, spouse)
        # Their first home, bought together: a new home, the contract filed in the last weeks.
        self.home(
            [buyer, spouse],
            local=True,
            kind=ports.NEW_HOME,
            contract_on=self.today - timedelta(days=self.rng.randint(3, 25)),
            titled=False,
            price=COUPLE_PRICE,
            loan_amount=COUPLE_LOAN,
        )

    # --- write -----------------------------------------------------------------------------

    def units(self) -> list[SandboxUnit]:
        units = [
            SandboxUnit(
                credit_code=employer.credit_code,
                name=employer.name,
                status=ports.UNIT_CANCELLED if employer.status == UNIT_CLOSED else ports.UNIT_ACTIVE,
                registered_on=self.day_between(date(1995, 1, 1), date(2014, 12, 31)),
            )
            for employer in self.plan.employers
        ]
        units.extend(
            SandboxUnit(
                credit_code=unit.credit_code,
                name=unit.name,
                status=ports.UNIT_CANCELLED if unit.cancelled else ports.UNIT_ACTIVE,
                registered_on=unit.registered_on,
            )
            for unit in self.plan.walk_in_units
        )
        return units

    def fill(self) -> dict[str, int]:
        for person in self.plan.people:
            self.citizens[person.index] = self.citizen(person)
        self.pair_spouses()
        keep_out = self.personas_homes_and_loans()
        self.random_homes_and_loans(keep_out)
        # After the city's records: the walk-ins' draws leave those unchanged.
        for person in self.plan.walk_in_people:
            self.citizens[person.index] = self.citizen(person)
        units = self.units()
        # Last: the couple's own draws come after every other.
        self.couple_records()
        with transaction.atomic(durable=True):
            SandboxUnit.objects.bulk_create(units, batch_size=BATCH)
            SandboxCitizen.objects.bulk_create(self.citizens.values(), batch_size=BATCH)
            SandboxProperty.objects.bulk_create([home for home, _owners in self.homes], batch_size=BATCH)
            pks = dict(
                SandboxProperty.objects.filter(
                    property_id__in=[home.property_id for home, _owners in self.homes]
                ).values_list("property_id", "pk")
            )
            SandboxPropertyOwner.objects.bulk_create(
                [
                    SandboxPropertyOwner(
                        property_id=pks[home.property_id],
                        id_number=owner.id_number,
                        id_number_index=blind_index(owner.id_number),
                    )
                    for home, owners in self.homes
                    for owner in owners
                ],
                batch_size=BATCH,
            )
            SandboxLoan.objects.bulk_create(self.loans, batch_size=BATCH)
        return {
            "citizens": len(self.citizens),
            "units": len(units),
            "properties": len(self.homes),
            "loans": len(self.loans),
        }


def fill_sandbox(plan: CityPlan) -> dict[str, int]:
    """Write the sandbox's government records for ``plan``; returns how many of each were written."""
    return _Filler(plan).fill()
