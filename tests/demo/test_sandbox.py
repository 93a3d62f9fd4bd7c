"""The sandbox's government records make every demo persona's case true, asked through the ports."""

from datetime import timedelta

import pytest
from django.test import override_settings
from django.utils import timezone

from accounts.models import Employer, FundAccount, Person
from core.crypto import blind_index
from core.identity import is_local_region
from demo.city import add_months, plan_city
from demo.models import Persona
from integrations.gov import ports, sandbox
from integrations.models import SandboxCitizen, SandboxPropertyOwner, SandboxUnit
from tests.demo.conftest import seeded_city

PERSONS, EMPLOYERS, SEED = 120, 12, 11
T = 1.0


@pytest.fixture(scope="module")
def city(django_db_setup, django_db_blocker, tmp_path_factory):
    """One small city for the module, rolled back at the end; the sandbox answers without delay."""
    with override_settings(SANDBOX_GOV_LATENCY_MS=0):
        sandbox.clear_knob_cache()
        with seeded_city(
            django_db_blocker, tmp_path_factory.mktemp("var"), persons=PERSONS, employers=EMPLOYERS, seed=SEED
        ):
            yield


def _plan():
    return plan_city(persons=PERSONS, employers=EMPLOYERS, seed=SEED, today=timezone.localdate())


def _id(persona: str) -> str:
    return Person.objects.get(demo_persona__persona=persona).id_number


def _account(persona: str) -> FundAccount:
    return FundAccount.objects.get(person__demo_persona__persona=persona)


def _local_homes(id_number: str) -> list[ports.Property]:
    return [
        p
        for p in sandbox.SandboxRealEstate().properties(id_number, timeout=T)
        if is_local_region(p.region_code)
    ]


@pytest.mark.usefixtures("db", "city")
class TestFillSandbox:
    def test_gives_every_person_a_citizen_record_with_their_hukou(self):
        people = {p.id_number_index: p.hukou_region for p in Person.objects.all()}
        walk_ins = {blind_index(p.id_number): p.hukou_region for p in _plan().walk_in_people}

        citizens = {c.id_number_index: c.hukou_region for c in SandboxCitizen.objects.all()}

        assert citizens == people | walk_ins

    def test_registers_every_unit_and_cancels_closed_ones(self):
        walk_ins = {unit.credit_code for unit in _plan().walk_in_units}
        units = dict(SandboxUnit.objects.values_list("credit_code", "status"))

        employers = dict(Employer.objects.values_list("credit_code", "status"))

        assert set(units) == set(employers) | walk_ins
        assert all(
            (units[code] == ports.UNIT_CANCELLED) == (status == "04") for code, status in employers.items()
        )

    def test_marries_people_in_pairs(self):
        married = SandboxCitizen.objects.filter(marital_status=ports.MARRIED)
        by_index = {c.id_number_index: c for c in married}

        spouses_agree = all(
            by_index[c.spouse_id_number_index].spouse_id_number_index == c.id_number_index for c in married
        )

        assert married.count() > PERSONS * 0.2
        assert spouses_agree

    def test_gives_some_people_homes_and_loans(self):
        owners = SandboxCitizen.objects.filter(
            id_number_index__in=SandboxPropertyOwner.objects.values("id_number_index")
        ).count()

        assert PERSONS * 0.1 < owners < PERSONS * 0.6


@pytest.mark.usefixtures("db", "city")
class TestWalkInRecords:
    def test_confirms_the_walk_in_people_s_names_with_public_security(self):
        people = _plan().walk_in_people

        checks = [
            sandbox.SandboxPublicSecurity().verify_identity(p.id_number, p.name, timeout=T) for p in people
        ]

        assert all(check.name_matches and check.alive for check in checks)

    def test_gives_the_walk_in_people_local_and_non_local_hukou(self):
        people = _plan().walk_in_people

        hukou = [sandbox.SandboxPublicSecurity().hukou(p.id_number, timeout=T).region_code for p in people]

        assert {is_local_region(region) for region in hukou} == {True, False}
        assert hukou == [p.hukou_region for p in people]

    def test_registers_the_walk_in_units_with_market_regulation_one_cancelled(self):
        units = _plan().walk_in_units

        found = [sandbox.SandboxMarketRegulation().unit_registration(u.credit_code, timeout=T) for u in units]

        assert [(r.name, r.status) for r in found] == [
            (u.name, ports.UNIT_CANCELLED if u.cancelled else ports.UNIT_ACTIVE) for u in units
        ]
        assert [r.status for r in found].count(ports.UNIT_CANCELLED) == 1


@pytest.mark.usefixtures("db", "city")
class TestPersonaRecords:
    def test_renter_and_spouse_own_no_home_and_renter_has_deposited_three_months(self):
        id_number = _id(Persona.RENTER)
        marriage = sandbox.SandboxCivilAffairs().marriage(id_number, timeout=T)

        household = [id_number] + ([marriage.spouse_id_number] if marriage.spouse_id_number else [])

        assert all(_local_homes(i) == [] for i in household)
        assert _account(Persona.RENTER).opened_on <= add_months(timezone.localdate(), -3)

    def test_spouse_owns_home_is_married_to_an_owner_and_owns_none(self):
        id_number = _id(Persona.SPOUSE_OWNS_HOME)

        marriage = sandbox.SandboxCivilAffairs().marriage(id_number, timeout=T)

        assert marriage.status == ports.MARRIED
        assert _local_homes(id_number) == []
        assert len(_local_homes(marriage.spouse_id_number)) >= 1

    def test_retiree_is_retired_per_social_security(self):
        record = sandbox.SandboxSocialSecurity().retirement(_id(Persona.RETIREE), timeout=T)

        assert record.retired
        assert record.retired_on <= timezone.localdate()

    @pytest.mark.parametrize(
        ("persona", "local"),
        [
            (Persona.LEAVER_SEALED_7_MONTHS, False),
            (Persona.LEAVER_SEALED_3_MONTHS, False),
            (Persona.LOCAL_LEAVER_SEALED_7_MONTHS, True),
        ],
    )
    def test_leavers_hukou_and_employment_end_match_their_seal(self, persona, local):
        id_number = _id(persona)
        account = _account(persona)

        hukou = sandbox.SandboxPublicSecurity().hukou(id_number, timeout=T)
        employment = sandbox.SandboxSocialSecurity().employment(id_number, timeout=T)

        assert is_local_region(hukou.region_code) == local
        assert employment.ended_on == account.sealed_on
        assert not sandbox.SandboxEmploymentOffice().unemployment(id_number, timeout=T).registered

    def test_buyer_has_a_fresh_purchase_contract_in_the_city(self):
        homes = _local_homes(_id(Persona.BUYER))

        fresh = [h for h in homes if h.contract_on >= timezone.localdate() - timedelta(days=31)]

        assert len(fresh) == 1
        assert fresh[0].kind == ports.NEW_HOME
        assert fresh[0].price == 300_000_000
        assert 0 < fresh[0].loan_amount < fresh[0].price

    def test_loan_repayer_repays_a_fund_loan_of_this_centre(self):
        report = sandbox.SandboxCreditBureau().credit_report(_id(Persona.LOAN_REPAYER), timeout=T)

        fund = [loan for loan in report.loans if loan.kind == ports.FUND_LOAN]

        assert [loan.status for loan in fund] == [ports.REPAYING]
        assert fund[0].centre == "350200"
        assert fund[0].monthly_payment > 0
        assert report.monthly_debt >= fund[0].monthly_payment

    def test_overdue_borrower_has_overdue_months(self):
        report = sandbox.SandboxCreditBureau().credit_report(_id(Persona.OVERDUE_BORROWER), timeout=T)

        assert report.overdue_months_last_24 >= 1
