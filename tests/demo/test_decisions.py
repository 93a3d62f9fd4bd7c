"""The seeded city's 秒批 pre-checks, review queue and rejections, made through the approvals services."""

import pytest
from django.conf import settings

from accounts.models import FundAccount
from approvals.models import (
    Application,
    ApplicationStatus,
    CaseStatus,
    Channel,
    DecisionPurpose,
    DecisionRecord,
    Outcome,
    ReviewCase,
)
from approvals.rulesets.withdrawals import STAFF_REVIEW_REASONS
from audit.models import AuditEvent
from demo.decisions import PERSONA_CHECKS, instant_sandbox
from demo.models import DemoPersona, Persona
from integrations.gov import sandbox
from integrations.models import GovQuery
from tests.demo.conftest import seeded_city

PERSONS, EMPLOYERS, SEED = 120, 12, 5
ANSWERED = ("OK", "NOT_FOUND")

EXPECTED = {
    Persona.RENTER: Outcome.APPROVE,
    Persona.RETIREE: Outcome.APPROVE,
    Persona.LEAVER_SEALED_7_MONTHS: Outcome.APPROVE,
    Persona.BUYER: Outcome.APPROVE,
    Persona.LOAN_REPAYER: Outcome.APPROVE,
    Persona.LEAVER_SEALED_3_MONTHS: Outcome.REJECT,
    Persona.LOCAL_LEAVER_SEALED_7_MONTHS: Outcome.REJECT,
    Persona.SPOUSE_OWNS_HOME: Outcome.REJECT,
    Persona.OVERDUE_BORROWER: Outcome.REJECT,
    Persona.COUPLE_BUYER: Outcome.APPROVE,
    Persona.COUPLE_SPOUSE: Outcome.APPROVE,
}
# The failing rule that explains each persona's rejection.
REJECTED_BY = {
    Persona.LEAVER_SEALED_3_MONTHS: "SEALED_TOO_RECENTLY",
    Persona.LOCAL_LEAVER_SEALED_7_MONTHS: "HUKOU_IN_CITY",
    Persona.SPOUSE_OWNS_HOME: "SPOUSE_OWNS_HOME_IN_CITY",
    Persona.OVERDUE_BORROWER: "OVERDUE_IN_LOOKBACK",
}


@pytest.fixture(scope="module")
def city(django_db_setup, django_db_blocker, tmp_path_factory):
    """One small city for the module, rolled back at the end; the sandbox's settings before seeding."""
    before = (settings.SANDBOX_GOV_LATENCY_MS, settings.SANDBOX_GOV_FAILURE_RATE)
    with seeded_city(
        django_db_blocker, tmp_path_factory.mktemp("var"), persons=PERSONS, employers=EMPLOYERS, seed=SEED
    ):
        yield {"sandbox_settings": before}


def _precheck(persona: str) -> DecisionRecord:
    person_id = DemoPersona.objects.get(persona=persona).person_id
    return DecisionRecord.objects.get(subject_id=person_id, purpose=DecisionPurpose.PRECHECK)


def _failed_codes(decision: DecisionRecord) -> set[str]:
    return {result["reason"]["code"] for result in decision.results if result["status"] == "FAIL"}


@pytest.mark.usefixtures("db", "city")
class TestPersonaPrechecks:
    def test_covers_every_persona(self):
        assert set(EXPECTED) == set(Persona.values) == set(PERSONA_CHECKS)

    @pytest.mark.parametrize("persona", list(EXPECTED))
    def test_checks_the_personas_natural_reason_with_the_expected_outcome(self, persona):
        decision = _precheck(persona)

        assert decision.rule_set == PERSONA_CHECKS[persona][0]
        assert decision.outcome == EXPECTED[persona], decision.results

    @pytest.mark.parametrize("persona", list(REJECTED_BY))
    def test_rejects_for_the_personas_reason(self, persona):
        assert REJECTED_BY[persona] in _failed_codes(_precheck(persona))

    def test_checks_the_renter_for_one_month(self):
        assert _precheck(Persona.RENTER).facts["period_months"] == 1

    def test_asks_as_the_personas_own_login(self):
        decision = _precheck(Persona.RETIREE)
        person = DemoPersona.objects.select_related("person__user").get(persona=Persona.RETIREE).person

        requesters = set(
            GovQuery.objects.filter(purpose=decision.query_purpose).values_list("requested_by", flat=True)
        )

        assert requesters == {person.user.username}


@pytest.mark.usefixtures("db", "city")
class TestOtherPrechecks:
    def test_makes_about_sixty_across_reasons_and_every_channel(self):
        personas = DemoPersona.objects.values("person_id")
        others = DecisionRecord.objects.filter(purpose=DecisionPurpose.PRECHECK).exclude(subject__in=personas)

        assert 50 <= others.count() <= 70
        assert set(others.values_list("channel", flat=True)) == set(Channel.values)
        assert len(set(others.values_list("rule_set", flat=True))) >= 6

    def test_approve_some_and_reject_others(self):
        outcomes = set(
            DecisionRecord.objects.filter(purpose=DecisionPurpose.PRECHECK).values_list("outcome", flat=True)
        )

        assert {Outcome.APPROVE, Outcome.REJECT} <= outcomes


@pytest.mark.usefixtures("db", "city")
class TestApplications:
    def test_approves_none(self):
        assert not Application.objects.filter(status=ApplicationStatus.APPROVED).exists()

    def test_refers_about_a_dozen_staff_review_applications_each_with_an_open_case(self):
        referred = Application.objects.filter(status=ApplicationStatus.REFERRED)

        assert 10 <= referred.count() <= 14
        assert set(referred.values_list("reason", flat=True)) <= set(STAFF_REVIEW_REASONS)
        for application in referred:
            assert ReviewCase.objects.get(application=application).status == CaseStatus.OPEN

    def test_asks_for_an_amount_within_the_balance(self):
        for application in Application.objects.filter(status=ApplicationStatus.REFERRED):
            balance = FundAccount.objects.get(person=application.applicant).ledger_account.balance

            assert 0 < application.payload["amount"] <= balance

    def test_comes_in_through_several_channels(self):
        assert len(set(Application.objects.values_list("channel", flat=True))) >= 3

    def test_rejects_a_few_from_recorded_facts(self):
        rejected = Application.objects.filter(status=ApplicationStatus.REJECTED)

        assert 1 <= rejected.count() <= 6
        for application in rejected:
            decision = application.decisions.get(purpose=DecisionPurpose.APPLICATION)
            assert decision.outcome == Outcome.REJECT
            assert _failed_codes(decision)
            assert not ReviewCase.objects.filter(application=application).exists()

    def test_leaves_no_persona_an_application(self):
        assert not Application.objects.filter(applicant__demo_persona__isnull=False).exists()


@pytest.mark.usefixtures("db", "city")
class TestThroughTheServices:
    def test_every_application_has_its_automatic_decision_and_audit_event(self):
        applications = list(Application.objects.all())

        decided = set(
            AuditEvent.objects.filter(action="approvals.application_decided").values_list(
                "target_id", flat=True
            )
        )

        assert applications
        for application in applications:
            assert application.decisions.filter(purpose=DecisionPurpose.APPLICATION).count() == 1
            assert str(application.pk) in decided

    def test_records_the_sources_asked_with_their_latency_and_query_log(self):
        decisions = DecisionRecord.objects.exclude(sources={})

        assert decisions.count() >= 60
        for decision in decisions:
            assert decision.query_purpose
            answers = decision.sources.values()
            assert all(answer["outcome"] in ANSWERED for answer in answers), decision.sources
            assert all(answer["latency_ms"] >= 0 for answer in answers)
            logged = GovQuery.objects.filter(purpose=decision.query_purpose).count()
            assert logged == len(decision.sources)

    def test_leaves_the_sandbox_latency_and_failure_rate_as_configured(self, city):
        after = (settings.SANDBOX_GOV_LATENCY_MS, settings.SANDBOX_GOV_FAILURE_RATE)

        assert after == city["sandbox_settings"]


class TestInstantSandbox:
    def test_zeroes_latency_and_failures_inside_and_restores_them_after(self, settings):
        settings.SANDBOX_GOV_LATENCY_MS = 80
        settings.SANDBOX_GOV_FAILURE_RATE = "0.2"

        with instant_sandbox():
            inside = (settings.SANDBOX_GOV_LATENCY_MS, settings.SANDBOX_GOV_FAILURE_RATE)

        assert inside == (0, "0")
        assert (settings.SANDBOX_GOV_LATENCY_MS, settings.SANDBOX_GOV_FAILURE_RATE) == (80, "0.2")

    def test_restores_them_when_the_block_fails(self, settings):
        settings.SANDBOX_GOV_LATENCY_MS = 80

        with pytest.raises(RuntimeError), instant_sandbox():
            raise RuntimeError("boom")

        assert settings.SANDBOX_GOV_LATENCY_MS == 80
        sandbox.clear_knob_cache()
