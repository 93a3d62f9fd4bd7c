import time
from datetime import date

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from approvals import registry, services
from approvals.models import (
    Application,
    ApplicationStatus,
    CaseStatus,
    DecisionPurpose,
    ReviewCase,
)
from approvals.services import (
    ApplicationInFlight,
    InvalidApplication,
    UnknownReason,
    check_eligibility,
    submit_application,
)
from audit.models import AuditEvent
from core.calendar import add_working_days
from core.crypto import blind_index
from core.models import PolicyParameter
from integrations.gov import ports
from integrations.gov.fakes import (
    FAKES,
    FakeCivilAffairs,
    FakePublicSecurity,
    FakeRealEstate,
    FakeSocialSecurity,
)
from integrations.models import GovQuery
from tests.accounts.factories import PersonFactory
from tests.approvals.factories import ELSEWHERE, XIAMEN, account_with_deposits, sealed_account

pytestmark = pytest.mark.django_db


def submit(person, reason="LEAVING_CITY", **kwargs):
    return submit_application(
        kind="withdrawal", reason=reason, applicant=person, channel="WEB", payload=kwargs, actor=None
    )


def leaver_sources(person, **overrides):
    """Sources that make ``person`` a non-local leaver whose employment has ended."""
    fakes = {
        "public_security": FakePublicSecurity(
            hukou={person.id_number: ports.HukouRecord(region_code=ELSEWHERE, since=date(1990, 1, 1))}
        ),
        "social_security": FakeSocialSecurity(
            employment={
                person.id_number: ports.EmploymentRecord(
                    employer_credit_code=None,
                    employer_name="x",
                    since=date(2015, 1, 1),
                    ended_on=date(2025, 1, 1),
                )
            }
        ),
    }
    fakes.update(overrides)
    return fakes


def home(owner_id, *, region=XIAMEN, property_id="P1"):
    return ports.Property(
        property_id=property_id,
        region_code=region,
        address="思明区某路1号",
        kind=ports.NEW_HOME,
        contract_on=date(2024, 5, 1),
        title_on=None,
        price=300_000_000,
        loan_amount=200_000_000,
        full_payment=False,
        owners=(owner_id,),
    )


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def leaver(today):
    return sealed_account(today=today, sealed_months_ago=7).person


class TestSubmitApplication:
    def test_approves_a_non_local_leaver_sealed_seven_months(self, sources, leaver):
        sources(**leaver_sources(leaver))

        application = submit(leaver)

        assert application.status == ApplicationStatus.APPROVED
        assert application.decided_at is not None
        decision = application.decisions.get()
        assert decision.outcome == "APPROVE"
        assert decision.purpose == DecisionPurpose.APPLICATION
        assert decision.decided_by is None
        assert not ReviewCase.objects.filter(application=application).exists()

    def test_rejects_a_leaver_sealed_three_months_with_the_reason(self, sources, today):
        person = sealed_account(today=today, sealed_months_ago=3).person
        sources(**leaver_sources(person))

        application = submit(person)

        assert application.status == ApplicationStatus.REJECTED
        failing = [r for r in application.decisions.get().results if r["status"] == "FAIL"]
        assert [r["rule"] for r in failing] == ["SEALED_LONG_ENOUGH"]
        assert failing[0]["reason"]["zh_hans"]

    def test_records_the_parameter_versions_it_used(self, sources, leaver, today):
        sources(**leaver_sources(leaver))
        version = PolicyParameter.objects.filter(
            key="withdrawal.leaving.sealed_months", effective_from__lte=today
        ).latest("effective_from")

        decision = submit(leaver).decisions.get()

        assert decision.parameters["withdrawal.leaving.sealed_months"] == {
            "value": 6,
            "effective_from": version.effective_from.isoformat(),
            "pk": version.pk,
        }
        assert decision.applied_on == today

    def test_records_the_facts_and_every_source_with_its_latency(self, sources, leaver):
        sources(**leaver_sources(leaver))

        decision = submit(leaver).decisions.get()

        assert decision.facts["hukou_region"] == ELSEWHERE
        assert decision.facts["account_status"] == "02"
        assert set(decision.sources) == {"public_security.hukou", "social_security.employment"}
        assert all(s["outcome"] == "OK" and s["latency_ms"] >= 0 for s in decision.sources.values())
        assert leaver.id_number not in str(decision.facts)

    def test_logs_each_query_under_the_decision_s_purpose(self, sources, leaver):
        sources(**leaver_sources(leaver))

        decision = submit(leaver).decisions.get()

        assert decision.query_purpose.startswith("application:")
        assert set(GovQuery.objects.values_list("purpose", flat=True)) == {decision.query_purpose}
        assert set(GovQuery.objects.values_list("source", flat=True)) == {
            "public_security",
            "social_security",
        }

    def test_refers_when_a_source_fails(self, sources, leaver, today):
        sources(**leaver_sources(leaver, public_security=FakePublicSecurity(unavailable=True)))

        application = submit(leaver)

        assert application.status == ApplicationStatus.REFERRED
        assert application.decided_at is None
        decision = application.decisions.get()
        assert decision.sources["public_security.hukou"]["outcome"] == "UNAVAILABLE"
        assert decision.facts["hukou_region"] == {"unknown": True}
        case = application.review_case
        assert case.status == CaseStatus.OPEN
        assert case.due_on == add_working_days(today, 3) == application.due_on

    def test_refers_within_the_deadline_when_a_source_is_slower_than_its_timeout(
        self, sources, leaver, settings
    ):
        settings.DECISION_SOURCE_TIMEOUT_S = 0.2
        settings.DECISION_DEADLINE_S = 0.4
        sources(**leaver_sources(leaver, social_security=FakeSocialSecurity(delay=5)))

        started = time.monotonic()
        application = submit(leaver)
        elapsed = time.monotonic() - started

        assert application.status == ApplicationStatus.REFERRED
        assert application.decisions.get().sources["social_security.employment"]["outcome"] == "UNAVAILABLE"
        # A correctness bound (the deadline holds), not a performance figure.
        assert elapsed < 0.4 + 0.5

    @pytest.mark.parametrize(
        ("reason", "payload"),
        [
            ("RETIREMENT", {}),
            ("RENT", {}),
            ("PURCHASE_IN_CITY", {}),
            ("LOAN_ELIGIBILITY", {"term_months": 60}),
        ],
    )
    def test_refers_and_never_rejects_when_every_source_fails(self, sources, reason, payload, today):
        person = account_with_deposits(today=today, months=12).person
        sources(**{name: fake(unavailable=True) for name, fake in FAKES.items()})

        application = submit(person, reason=reason, **payload)

        decision = application.decisions.get()
        assert decision.outcome == "REFER"
        assert not [r for r in decision.results if r["status"] == "FAIL"]
        assert {s["outcome"] for s in decision.sources.values()} == {"UNAVAILABLE"}

    def test_refers_a_leaver_when_every_source_fails(self, sources, leaver):
        sources(**{name: fake(unavailable=True) for name, fake in FAKES.items()})

        application = submit(leaver)

        assert application.status == ApplicationStatus.REFERRED

    def test_refuses_a_second_open_application_for_the_same_reason(self, sources, leaver):
        fakes = sources(**leaver_sources(leaver, public_security=FakePublicSecurity(unavailable=True)))
        submit(leaver)
        asked = len(fakes["social_security"].calls)

        with pytest.raises(ApplicationInFlight) as error:
            submit(leaver)

        assert error.value.code == "APPLICATION_IN_FLIGHT"
        assert error.value.http_status == 409
        assert len(fakes["social_security"].calls) == asked  # no source asked for a duplicate
        assert Application.objects.filter(applicant=leaver).count() == 1

    def test_accepts_a_new_application_once_the_last_is_decided(self, sources, leaver):
        sources(**leaver_sources(leaver))
        submit(leaver)

        second = submit(leaver)

        assert second.status == ApplicationStatus.APPROVED

    def test_writes_an_audit_event(self, sources, leaver):
        sources(**leaver_sources(leaver))

        application = submit(leaver)

        event = AuditEvent.objects.get(action="approvals.application_decided")
        assert event.target_id == str(application.pk)
        assert event.data["outcome"] == "APPROVE"

    def test_asks_for_the_spouse_s_homes_once_the_marriage_names_the_spouse(self, sources, today):
        person = account_with_deposits(today=today, months=6).person
        spouse = PersonFactory.build().id_number
        fakes = sources(
            civil_affairs=FakeCivilAffairs(
                marriages={person.id_number: ports.MarriageRecord(ports.MARRIED, spouse, date(2015, 1, 1))}
            ),
            real_estate=FakeRealEstate(properties=[home(spouse)]),
        )

        application = submit(person, reason="RENT")

        assert fakes["real_estate"].calls == ["properties", "properties"]
        decision = application.decisions.get()
        assert decision.facts["spouse_home_regions"] == [XIAMEN]
        assert decision.outcome == "REJECT"
        assert decision.private_facts["spouse_index"] == blind_index(spouse)
        assert spouse not in str(decision.facts)

    def test_approves_rent_for_a_single_depositor_without_a_home(self, sources, today):
        person = account_with_deposits(today=today, months=4).person
        fakes = sources()

        application = submit(person, reason="RENT", period_months=3)

        assert application.status == ApplicationStatus.APPROVED
        assert fakes["real_estate"].calls == ["properties"]
        assert application.decisions.get().facts["consecutive_deposit_months"] == 4

    def test_refuses_an_unknown_reason(self, sources, leaver):
        with pytest.raises(UnknownReason):
            submit(leaver, reason="HOLIDAY")

    def test_refuses_an_amount_that_is_not_whole_fen(self, sources, leaver):
        with pytest.raises(InvalidApplication):
            submit(leaver, amount="12.5")


def _statements(queries) -> list[str]:
    return [query["sql"].split(None, 1)[0].upper() for query in queries]


class TestQueryLogOfADecision:
    def test_writes_one_row_per_source_call_in_one_statement(self, sources, leaver, gov_log):
        sources(**leaver_sources(leaver))

        with CaptureQueriesContext(connection) as queries:
            application = submit(leaver)

        purpose = application.decisions.get().query_purpose
        assert sorted(GovQuery.objects.filter(purpose=purpose).values_list("source", "operation")) == [
            ("public_security", "hukou"),
            ("social_security", "employment"),
        ]
        assert gov_log == []  # nothing written one by one from the gathering threads
        inserts = [q["sql"] for q in queries if 'INSERT INTO "integrations_govquery"' in q["sql"]]
        assert len(inserts) == 1

    def test_logs_every_source_call_when_the_payload_is_refused_after_gathering(self, sources, leaver):
        sources(**leaver_sources(leaver))

        with pytest.raises(InvalidApplication):
            submit(leaver, amount="12.5")

        assert sorted(GovQuery.objects.values_list("source", "operation")) == [
            ("public_security", "hukou"),
            ("social_security", "employment"),
        ]
        assert not Application.objects.exists()

    def test_logs_every_source_call_when_the_transaction_rolls_back(self, sources, leaver, monkeypatch):
        sources(**leaver_sources(leaver))
        decide = services._decide

        def decide_while_another_is_submitted(**kwargs):
            decided = decide(**kwargs)
            monkeypatch.setattr(services, "_decide", decide)
            submit_application(
                kind="withdrawal",
                reason="LEAVING_CITY",
                applicant=leaver,
                channel="APP",
                payload={},
                actor=None,
            )
            return decided

        monkeypatch.setattr(services, "_decide", decide_while_another_is_submitted)

        with pytest.raises(ApplicationInFlight):
            submit(leaver)

        assert Application.objects.count() == 1
        per_purpose = {}
        for purpose in GovQuery.objects.values_list("purpose", flat=True):
            per_purpose[purpose] = per_purpose.get(purpose, 0) + 1
        assert sorted(per_purpose.values()) == [2, 2]  # the refused submission's calls too

    def test_appends_to_the_audit_chain_last_before_commit(self, sources, leaver):
        sources(**leaver_sources(leaver))

        with CaptureQueriesContext(connection) as queries:
            submit(leaver)

        sqls = [query["sql"] for query in queries]
        first_insert = next(i for i, sql in enumerate(sqls) if sql.upper().startswith("INSERT"))
        # From the check, inside the transaction, for an application made while gathering.
        begins = max(i for i, sql in enumerate(sqls[:first_insert]) if '"approvals_application"' in sql)
        written = [sql.split('"')[1] for sql in sqls[begins:] if sql.upper().startswith("INSERT")]
        assert written == [
            "approvals_application",
            "approvals_decisionrecord",
            # The applicant's message of the decision, and its text, commit with it.
            "notifications_message",
            "notifications_smsoutbox",
            "integrations_govquery",
            "audit_auditevent",
        ]
        assert "SAVEPOINT" not in _statements(queries[begins:])

    def test_a_pre_check_writes_its_query_log_in_one_statement(self, sources, leaver, gov_log):
        sources(**leaver_sources(leaver))

        with CaptureQueriesContext(connection) as queries:
            decision = check_eligibility(reason="LEAVING_CITY", person=leaver, channel="WEB", actor=None)

        assert GovQuery.objects.filter(purpose=decision.query_purpose).count() == 2
        assert gov_log == []
        assert sum('INSERT INTO "integrations_govquery"' in q["sql"] for q in queries) == 1


class TestKindHooks:
    @pytest.fixture
    def hook_calls(self):
        calls = []
        registry.register_kind("testkind", on_decided=lambda **kwargs: calls.append(kwargs))
        yield calls
        registry.unregister_kind("testkind")

    def test_runs_the_hook_only_after_commit(
        self, sources, leaver, hook_calls, django_capture_on_commit_callbacks
    ):
        sources(**leaver_sources(leaver))

        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            application = submit_application(
                kind="testkind",
                reason="LEAVING_CITY",
                applicant=leaver,
                channel="APP",
                payload={},
                actor=None,
            )
        assert hook_calls == []
        for callback in callbacks:
            callback()

        assert hook_calls == [{"application": application, "decision": application.decisions.get()}]


class TestAHookThatRaisesAfterCommit:
    @pytest.fixture
    def failing_hook(self):
        def hook(**kwargs):
            raise RuntimeError("the hook failed")

        registry.register_kind("testkind", on_decided=hook)
        yield
        registry.unregister_kind("testkind")

    @pytest.fixture
    def leaver(self, today):
        with transaction.atomic():  # the factories' helpers need the caller's transaction
            # An earlier transactional test's flush may have removed the seeded parameters.
            for key, value in (("withdrawal.leaving.sealed_months", 6), ("city.local_region_prefix", "3502")):
                PolicyParameter.objects.get_or_create(
                    key=key, effective_from=date(2000, 1, 1), defaults={"value": value}
                )
            return sealed_account(today=today, sealed_months_ago=7).person

    # A real commit; PostgreSQL only: SQLite's flush after the test would delete journal rows.
    @pytest.mark.postgres
    @pytest.mark.django_db(transaction=True)
    def test_leaves_the_query_log_written_once(self, sources, leaver, failing_hook):
        sources(**leaver_sources(leaver))

        with pytest.raises(RuntimeError):
            submit_application(
                kind="testkind",
                reason="LEAVING_CITY",
                applicant=leaver,
                channel="APP",
                payload={},
                actor=None,
            )

        assert Application.objects.count() == 1
        assert GovQuery.objects.count() == 2


class TestCheckEligibility:
    def test_records_a_pre_check_without_an_application(self, sources, leaver):
        sources(**leaver_sources(leaver))

        decision = check_eligibility(reason="LEAVING_CITY", person=leaver, channel="WEB", actor=None)

        assert decision.purpose == DecisionPurpose.PRECHECK
        assert decision.application is None
        assert decision.subject == leaver
        assert decision.outcome == "APPROVE"
        assert decision.query_purpose.startswith("precheck:")
        assert not Application.objects.exists()


class TestOneOpenApplicationConstraint:
    def _application(self, person, status):
        return Application.objects.create(
            kind="withdrawal",
            reason="RENT",
            applicant=person,
            channel="WEB",
            status=status,
            due_on=date(2026, 12, 1),
            decided_at=None if status in ("SUBMITTED", "REFERRED") else timezone.now(),
        )

    def test_refuses_a_second_open_application_in_the_database(self):
        person = PersonFactory()
        self._application(person, ApplicationStatus.REFERRED)

        with pytest.raises(IntegrityError), transaction.atomic():
            self._application(person, ApplicationStatus.SUBMITTED)

    def test_allows_decided_ones_beside_an_open_one(self):
        person = PersonFactory()
        self._application(person, ApplicationStatus.APPROVED)
        self._application(person, ApplicationStatus.REJECTED)

        self._application(person, ApplicationStatus.SUBMITTED)

        assert Application.objects.filter(applicant=person).count() == 3
