import time
from datetime import date, timedelta

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings
from django.utils import timezone

from core.crypto import blind_index
from integrations.gov import ports, sandbox
from integrations.models import (
    SandboxCitizen,
    SandboxKnobs,
    SandboxLoan,
    SandboxProperty,
    SandboxPropertyOwner,
    SandboxUnit,
)

ID = "35020319900101123X"
SPOUSE = "350203199202022345"
NOBODY = "110105194912310029"
CODE = "91350200MA2XYZ1234"
T = 2.0

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_latency")]


@pytest.fixture
def no_latency(settings):
    settings.SANDBOX_GOV_LATENCY_MS = 0
    settings.SANDBOX_GOV_FAILURE_RATE = "0"


def citizen(id_number=ID, **fields):
    return SandboxCitizen.objects.create(
        id_number=id_number, id_number_index=blind_index(id_number), name="张三", **fields
    )


class TestSandboxPublicSecurity:
    def test_verifies_a_known_name_and_life(self):
        citizen(hukou_region="350203", hukou_since=date(1990, 1, 1))

        check = sandbox.SandboxPublicSecurity().verify_identity(ID.lower(), "张三", timeout=T)
        wrong = sandbox.SandboxPublicSecurity().verify_identity(ID, "李四", timeout=T)

        assert check == ports.IdentityCheck(name_matches=True, alive=True)
        assert wrong == ports.IdentityCheck(name_matches=False, alive=True)

    def test_answers_hukou_and_emigration(self):
        citizen(
            hukou_region="350102",
            hukou_since=date(2001, 3, 4),
            settled_abroad=True,
            settled_abroad_on=date(2020, 1, 2),
        )

        hukou = sandbox.SandboxPublicSecurity().hukou(ID, timeout=T)
        emigration = sandbox.SandboxPublicSecurity().emigration(ID, timeout=T)

        assert hukou == ports.HukouRecord(region_code="350102", since=date(2001, 3, 4))
        assert emigration == ports.EmigrationRecord(settled_abroad=True, since=date(2020, 1, 2))

    def test_knows_nothing_of_an_unknown_person(self):
        source = sandbox.SandboxPublicSecurity()

        assert source.verify_identity(NOBODY, "王五", timeout=T) is None
        assert source.hukou(NOBODY, timeout=T) is None
        assert source.emigration(NOBODY, timeout=T) == ports.EmigrationRecord(settled_abroad=False)


class TestSandboxMarketRegulation:
    def test_answers_a_registered_unit_and_none_for_an_unknown_code(self):
        SandboxUnit.objects.create(
            credit_code=CODE, name="厦门某公司", status=ports.UNIT_CANCELLED, registered_on=date(2010, 5, 6)
        )

        unit = sandbox.SandboxMarketRegulation().unit_registration(CODE, timeout=T)
        unknown = sandbox.SandboxMarketRegulation().unit_registration("91350200MA2XYZ9999", timeout=T)

        assert unit == ports.UnitRegistration(CODE, "厦门某公司", ports.UNIT_CANCELLED, date(2010, 5, 6))
        assert unknown is None


class TestSandboxSocialSecurity:
    def test_answers_employment_retirement_and_disability(self):
        citizen(
            employer_credit_code=CODE,
            employer_name="厦门某公司",
            employed_since=date(2015, 1, 1),
            employment_ended_on=date(2024, 6, 30),
            retired=True,
            retired_on=date(2024, 7, 1),
            total_incapacity=True,
            incapacity_assessed_on=date(2023, 1, 1),
        )
        source = sandbox.SandboxSocialSecurity()

        employment = source.employment(ID, timeout=T)
        retirement = source.retirement(ID, timeout=T)
        disability = source.disability(ID, timeout=T)

        assert employment == ports.EmploymentRecord(CODE, "厦门某公司", date(2015, 1, 1), date(2024, 6, 30))
        assert retirement == ports.RetirementRecord(retired=True, retired_on=date(2024, 7, 1), lixiu=False)
        assert disability == ports.DisabilityRecord(total_incapacity=True, assessed_on=date(2023, 1, 1))

    def test_derives_contribution_months_from_the_employment_dates(self):
        today = timezone.localdate()
        start = (today.replace(day=1) - timedelta(days=1)).replace(day=1)  # last month
        citizen(employer_credit_code=CODE, employer_name="x", employed_since=start)

        months = sandbox.SandboxSocialSecurity().contribution_months(ID, 6, timeout=T)

        assert months == (start, today.replace(day=1))

    def test_knows_nothing_of_an_unknown_person(self):
        source = sandbox.SandboxSocialSecurity()

        assert source.employment(NOBODY, timeout=T) is None
        assert source.retirement(NOBODY, timeout=T) == ports.RetirementRecord(retired=False)
        assert source.contribution_months(NOBODY, 12, timeout=T) == ()


class TestSandboxCivilAffairs:
    def test_answers_a_marriage_with_the_spouses_id_number(self):
        citizen(
            marital_status=ports.MARRIED,
            spouse_id_number=SPOUSE,
            spouse_id_number_index=blind_index(SPOUSE),
            married_on=date(2018, 5, 20),
        )

        record = sandbox.SandboxCivilAffairs().marriage(ID, timeout=T)

        assert record == ports.MarriageRecord(ports.MARRIED, SPOUSE, date(2018, 5, 20))

    def test_answers_a_death(self):
        citizen(alive=False, died_on=date(2024, 2, 3))

        record = sandbox.SandboxCivilAffairs().death(ID, timeout=T)

        assert record == ports.DeathRecord(deceased=True, died_on=date(2024, 2, 3))

    def test_knows_no_marriage_of_an_unknown_person(self):
        assert sandbox.SandboxCivilAffairs().marriage(NOBODY, timeout=T) is None


class TestSandboxEmploymentOffice:
    def test_answers_a_registration_and_its_absence(self):
        citizen(unemployment_registered_on=date(2025, 1, 5))

        registered = sandbox.SandboxEmploymentOffice().unemployment(ID, timeout=T)
        unknown = sandbox.SandboxEmploymentOffice().unemployment(NOBODY, timeout=T)

        assert registered == ports.UnemploymentRecord(registered=True, since=date(2025, 1, 5))
        assert unknown == ports.UnemploymentRecord(registered=False)


class TestSandboxRealEstate:
    def test_answers_every_home_of_an_owner_with_all_its_owners(self):
        home = SandboxProperty.objects.create(
            property_id="P1",
            region_code="350203",
            address="思明区某路1号",
            kind=ports.NEW_HOME,
            contract_on=date(2020, 1, 1),
            title_on=date(2021, 1, 1),
            price=300_000_000,
            loan_amount=200_000_000,
        )
        for owner in (ID, SPOUSE):
            SandboxPropertyOwner.objects.create(
                property=home, id_number=owner, id_number_index=blind_index(owner)
            )

        homes = sandbox.SandboxRealEstate().properties(SPOUSE, timeout=T)

        assert [(h.property_id, h.price, h.owners) for h in homes] == [("P1", 300_000_000, (ID, SPOUSE))]
        assert sandbox.SandboxRealEstate().properties(NOBODY, timeout=T) == ()


class TestSandboxCreditBureau:
    def test_reports_loans_overdue_months_and_monthly_debt(self):
        citizen(overdue_months_last_24=2, other_monthly_debt=100_000)
        SandboxLoan.objects.create(
            id_number=ID,
            id_number_index=blind_index(ID),
            kind=ports.FUND_LOAN,
            lender="厦门市住房公积金管理中心",
            principal=50_000_000,
            monthly_payment=250_000,
            opened_on=date(2022, 1, 1),
            centre="350200",
        )

        report = sandbox.SandboxCreditBureau().credit_report(ID, timeout=T)

        assert report.overdue_months_last_24 == 2
        assert report.monthly_debt == 350_000
        assert report.loans[0].centre == "350200"
        assert sandbox.SandboxCreditBureau().credit_report(NOBODY, timeout=T) is None


class TestSandboxLatencyAndFailures:
    def test_a_slow_source_is_slow(self, settings):
        settings.SANDBOX_GOV_LATENCY_MS = 150

        start = time.monotonic()
        sandbox.SandboxCivilAffairs().death(ID, timeout=T)
        elapsed = time.monotonic() - start

        assert 0.14 <= elapsed < 1.5

    def test_the_knob_of_the_source_overrides_the_environment(self, settings):
        settings.SANDBOX_GOV_LATENCY_MS = 1000
        SandboxKnobs.objects.create(source=ports.CIVIL_AFFAIRS, latency_ms=0)

        start = time.monotonic()
        sandbox.SandboxCivilAffairs().death(ID, timeout=T)

        assert time.monotonic() - start < 0.5

    def test_latency_beyond_the_timeout_raises_unavailable_after_the_timeout(self, settings):
        settings.SANDBOX_GOV_LATENCY_MS = 5000

        start = time.monotonic()
        with pytest.raises(ports.CivilAffairsUnavailable):
            sandbox.SandboxCivilAffairs().death(ID, timeout=0.2)
        elapsed = time.monotonic() - start

        assert 0.19 <= elapsed < 1.5

    def test_a_failure_rate_of_one_always_fails(self, settings):
        settings.SANDBOX_GOV_FAILURE_RATE = "1"

        failures = 0
        for _ in range(20):
            with pytest.raises(ports.RealEstateUnavailable):
                sandbox.SandboxRealEstate().properties(ID, timeout=T)
            failures += 1

        assert failures == 20

    def test_a_failure_rate_of_zero_never_fails(self):
        answers = [sandbox.SandboxRealEstate().properties(ID, timeout=T) for _ in range(50)]

        assert answers == [()] * 50

    def test_a_knob_of_1000_per_mille_always_fails(self):
        SandboxKnobs.objects.create(source=ports.CREDIT_BUREAU, failure_per_mille=1000)

        with pytest.raises(ports.CreditBureauUnavailable):
            sandbox.SandboxCreditBureau().credit_report(ID, timeout=T)

    def test_a_seeded_failure_rate_fails_about_that_share(self, settings):
        settings.SANDBOX_GOV_FAILURE_RATE = "0.3"
        settings.SANDBOX_GOV_RANDOM_SEED = 5
        failures = 0

        for _ in range(400):
            try:
                sandbox.SandboxEmploymentOffice().unemployment(ID, timeout=T)
            except ports.EmploymentOfficeUnavailable:
                failures += 1

        assert 80 < failures < 160


class TestParseFailureRate:
    @pytest.mark.parametrize(("text", "per_mille"), [("0", 0), ("0.1", 100), ("1", 1000), ("25‰", 25)])
    def test_reads_fractions_and_per_mille(self, text, per_mille):
        assert sandbox.parse_failure_rate(text) == per_mille

    @pytest.mark.parametrize("text", ["abc", "1.5", "-0.1"])
    def test_refuses_nonsense(self, text):
        with pytest.raises(ImproperlyConfigured):
            sandbox.parse_failure_rate(text)


class TestSandboxSettings:
    @override_settings(SANDBOX_GOV_LATENCY_MS=0)
    def test_every_sandbox_class_implements_its_port(self):
        from django.conf import settings
        from django.utils.module_loading import import_string

        for name, path in settings.GOV_SOURCES.items():
            assert isinstance(import_string(path)(), ports.PORTS[name])
