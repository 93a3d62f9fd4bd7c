from datetime import date

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, transaction
from django.forms.models import model_to_dict
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from integrations.gov import ports
from integrations.gov.fakes import FakeCivilAffairs, FakeCreditBureau, FakePublicSecurity, FakeRealEstate
from integrations.gov.registry import QueryLog, SourceCalledInTransaction, answer_digest, gov_source
from integrations.gov.testing import all_fakes, use_fakes
from integrations.models import GovQuery, Outcome

ID = "35020319900101123X"
SPOUSE = "350203199202022345"
MARRIAGE = ports.MarriageRecord(status=ports.MARRIED, spouse_id_number=SPOUSE, since=date(2018, 5, 20))

pytestmark = pytest.mark.django_db


class TestGovSource:
    def test_answers_from_the_fake_given_to_use_fakes(self):
        fake = FakeCivilAffairs(marriages={ID: MARRIAGE})

        with use_fakes({"civil_affairs": fake}):
            answer = gov_source("civil_affairs", purpose="test:1", requested_by="alice").marriage(
                ID, timeout=1
            )

        assert answer == MARRIAGE
        assert fake.calls == ["marriage"]

    def test_logs_one_query_per_call_with_outcome_and_digest(self):
        with use_fakes({"civil_affairs": FakeCivilAffairs(marriages={ID: MARRIAGE})}):
            source = gov_source("civil_affairs", purpose="application:42", requested_by="system:test")
            source.marriage(ID, timeout=1)
            source.marriage(SPOUSE, timeout=1)

        rows = list(GovQuery.objects.order_by("pk"))
        assert [(r.source, r.operation, r.outcome) for r in rows] == [
            ("civil_affairs", "marriage", Outcome.OK),
            ("civil_affairs", "marriage", Outcome.NOT_FOUND),
        ]
        assert rows[0].purpose == "application:42"
        assert rows[0].requested_by == "system:test"
        assert rows[0].answer_digest == answer_digest(MARRIAGE)
        assert len(rows[0].answer_digest) == 64

    def test_logs_no_id_number_name_or_answer(self):
        names = {ID: "张三"}
        with use_fakes(all_fakes(civil_affairs=FakeCivilAffairs(marriages={ID: MARRIAGE}))):
            gov_source("civil_affairs", purpose="p", requested_by="u").marriage(ID, timeout=1)
        with use_fakes({"public_security": FakePublicSecurity(names=names)}):
            gov_source("public_security", purpose="p", requested_by="u").verify_identity(
                ID, "张三", timeout=1
            )

        for row in GovQuery.objects.all():
            text = repr(model_to_dict(row)) + str(row)
            for secret in (ID, SPOUSE, "张三", "2018-05-20", "married"):
                assert secret not in text

    def test_logs_an_empty_tuple_as_not_found(self):
        with use_fakes({"real_estate": FakeRealEstate()}):
            answer = gov_source("real_estate", purpose="p", requested_by="u").properties(ID, timeout=1)

        assert answer == ()
        assert GovQuery.objects.get().outcome == Outcome.NOT_FOUND

    def test_logs_unavailable_and_reraises_the_ports_exception(self):
        with use_fakes({"credit_bureau": FakeCreditBureau(unavailable=True)}):
            source = gov_source("credit_bureau", purpose="p", requested_by="u")
            with pytest.raises(ports.CreditBureauUnavailable):
                source.credit_report(ID, timeout=1)

        row = GovQuery.objects.get()
        assert row.outcome == Outcome.UNAVAILABLE
        assert row.answer_digest == ""

    def test_a_slow_fake_is_unavailable_after_the_timeout(self):
        with (
            use_fakes({"credit_bureau": FakeCreditBureau(delay=0.5)}),
            pytest.raises(ports.SourceUnavailable),
        ):
            gov_source("credit_bureau", purpose="p", requested_by="u").credit_report(ID, timeout=0.05)

        assert 40 <= GovQuery.objects.get().latency_ms < 400

    def test_refuses_a_call_inside_a_transaction(self):
        with use_fakes({"civil_affairs": FakeCivilAffairs()}):
            source = gov_source("civil_affairs", purpose="p", requested_by="u")
            with transaction.atomic(), pytest.raises(SourceCalledInTransaction):
                source.marriage(ID, timeout=1)

    def test_requires_a_timeout(self):
        with use_fakes({"civil_affairs": FakeCivilAffairs()}):
            source = gov_source("civil_affairs", purpose="p", requested_by="u")

            with pytest.raises(TypeError):
                source.marriage(ID)

    def test_restores_the_configured_source_after_use_fakes(self):
        with use_fakes({"civil_affairs": FakeCivilAffairs()}):
            pass

        source = gov_source("civil_affairs", purpose="p", requested_by="u")

        assert type(source.implementation).__name__ == "SandboxCivilAffairs"

    def test_instantiates_the_dotted_path_in_settings(self):
        paths = {"credit_bureau": "integrations.gov.fakes.FakeCreditBureau"}

        with override_settings(GOV_SOURCES=paths):
            source = gov_source("credit_bureau", purpose="p", requested_by="u")

        assert isinstance(source.implementation, FakeCreditBureau)

    def test_refuses_an_unknown_source(self):
        with pytest.raises(ImproperlyConfigured):
            gov_source("tax_office", purpose="p", requested_by="u")

    def test_refuses_a_class_that_does_not_implement_the_port(self):
        with use_fakes({"credit_bureau": FakeRealEstate()}), pytest.raises(ImproperlyConfigured):
            gov_source("credit_bureau", purpose="p", requested_by="u")


class TestAnswerDigest:
    def test_is_the_same_for_equal_answers_and_differs_otherwise(self):
        other = ports.MarriageRecord(status=ports.MARRIED, spouse_id_number=SPOUSE, since=date(2018, 5, 21))

        same = answer_digest(MARRIAGE) == answer_digest(ports.MarriageRecord(**MARRIAGE.__dict__))

        assert same
        assert answer_digest(MARRIAGE) != answer_digest(other)


class TestQueryLog:
    def test_keeps_the_rows_of_calls_made_with_a_sink_until_written(self):
        log = QueryLog()
        with use_fakes({"civil_affairs": FakeCivilAffairs(marriages={ID: MARRIAGE})}):
            source = gov_source("civil_affairs", purpose="application:42", requested_by="u", sink=log)
            source.marriage(ID, timeout=1)
            source.marriage(SPOUSE, timeout=1)

        assert len(log) == 2
        assert not GovQuery.objects.exists()

    def test_writes_every_kept_row_in_one_statement(self):
        log = QueryLog()
        with use_fakes({"civil_affairs": FakeCivilAffairs(marriages={ID: MARRIAGE})}):
            source = gov_source("civil_affairs", purpose="application:42", requested_by="u", sink=log)
            source.marriage(ID, timeout=1)
            source.marriage(SPOUSE, timeout=1)

        with CaptureQueriesContext(connection) as queries:
            log.write()

        assert len(queries) == 1
        assert queries[0]["sql"].startswith('INSERT INTO "integrations_govquery"')
        rows = list(GovQuery.objects.order_by("pk"))
        assert [(r.purpose, r.outcome) for r in rows] == [
            ("application:42", Outcome.OK),
            ("application:42", Outcome.NOT_FOUND),
        ]
        assert rows[0].answer_digest == answer_digest(MARRIAGE)

    def test_keeps_an_unavailable_call_too(self):
        log = QueryLog()
        with use_fakes({"credit_bureau": FakeCreditBureau(unavailable=True)}):
            source = gov_source("credit_bureau", purpose="p", requested_by="u", sink=log)
            with pytest.raises(ports.CreditBureauUnavailable):
                source.credit_report(ID, timeout=1)

        log.write()

        assert GovQuery.objects.get().outcome == Outcome.UNAVAILABLE

    def test_writes_a_call_that_ends_after_the_log_was_written_at_once(self):
        log = QueryLog()
        log.write()
        with use_fakes({"civil_affairs": FakeCivilAffairs(marriages={ID: MARRIAGE})}):
            gov_source("civil_affairs", purpose="p", requested_by="u", sink=log).marriage(ID, timeout=1)

        assert GovQuery.objects.get().outcome == Outcome.OK

    def test_writes_nothing_for_no_calls(self):
        with CaptureQueriesContext(connection) as queries:
            QueryLog().write()

        assert len(queries) == 0
