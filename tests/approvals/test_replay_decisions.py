from datetime import date, timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from approvals.models import DecisionRecord
from approvals.replay import parse_overrides, replay_decisions
from approvals.services import check_eligibility, submit_application
from integrations.gov import ports
from integrations.gov.fakes import FakePublicSecurity, FakeSocialSecurity
from tests.approvals.factories import ELSEWHERE, sealed_account

pytestmark = pytest.mark.django_db

SEALED_MONTHS = "withdrawal.leaving.sealed_months"


@pytest.fixture
def leavers(sources):
    """Leavers sealed 7 and 9 months, both approved under the seeded 6 months."""
    today = timezone.localdate()
    people = {months: sealed_account(today=today, sealed_months_ago=months).person for months in (7, 9)}
    hukou = ports.HukouRecord(region_code=ELSEWHERE, since=date(1990, 1, 1))
    sources(
        public_security=FakePublicSecurity(hukou={p.id_number: hukou for p in people.values()}),
        social_security=FakeSocialSecurity(),
    )
    applications = {
        months: submit_application(
            kind="withdrawal", reason="LEAVING_CITY", applicant=person, channel="WEB", payload={}, actor=None
        )
        for months, person in people.items()
    }
    assert {a.status for a in applications.values()} == {"APPROVED"}
    return applications


def replay(*args) -> str:
    out = StringIO()
    call_command("replay_decisions", *args, stdout=out)
    return out.getvalue()


class TestReplayDecisions:
    def test_flips_the_seven_month_leaver_when_eight_months_are_required(self, leavers):
        since = (timezone.localdate() - timedelta(days=1)).isoformat()

        output = replay("--since", since, "--set", f"{SEALED_MONTHS}=8")

        assert "re-evaluated: 2" in output
        assert "outcome would change: 1" in output
        decision = leavers[7].decisions.get()
        (row,) = [line for line in output.splitlines() if line.startswith(str(decision.pk))]
        assert f"{leavers[7].pk}" in row
        assert "LEAVING_CITY" in row
        assert "APPROVE → REJECT" in row
        assert "SEALED_LONG_ENOUGH PASS→FAIL" in row

    def test_changes_nothing_with_the_recorded_parameters(self, leavers):
        since = timezone.localdate().isoformat()

        report = replay_decisions(since=timezone.localdate(), overrides={})

        assert len(report.replayed) == 2
        assert report.changed == ()
        assert "outcome would change: 0" in replay("--since", since)

    def test_replays_eligibility_checks_only_when_asked(self, leavers, sources):
        person = sealed_account(today=timezone.localdate(), sealed_months_ago=7).person
        hukou = ports.HukouRecord(region_code=ELSEWHERE, since=date(1990, 1, 1))
        sources(
            public_security=FakePublicSecurity(hukou={person.id_number: hukou}),
            social_security=FakeSocialSecurity(),
        )
        check = check_eligibility(reason="LEAVING_CITY", person=person, channel="APP", actor=None)
        since = timezone.localdate() - timedelta(days=1)

        without = replay_decisions(since=since, overrides={SEALED_MONTHS: 8})
        with_checks = replay_decisions(since=since, overrides={SEALED_MONTHS: 8}, include_prechecks=True)

        assert check.pk not in {item.decision_id for item in without.replayed}
        assert check.pk in {item.decision_id for item in with_checks.changed}

    def test_writes_nothing(self, leavers):
        before = list(DecisionRecord.objects.values_list("pk", "outcome"))

        replay("--since", timezone.localdate().isoformat(), "--set", f"{SEALED_MONTHS}=12")

        assert list(DecisionRecord.objects.values_list("pk", "outcome")) == before

    def test_keeps_to_the_period_and_the_rule_set(self, leavers):
        tomorrow = timezone.localdate() + timedelta(days=1)

        later = replay_decisions(since=tomorrow, overrides={SEALED_MONTHS: 8})
        other = replay_decisions(
            since=timezone.localdate(), overrides={SEALED_MONTHS: 8}, rule_set_name="RENT"
        )

        assert later.replayed == () and other.replayed == ()

    def test_refuses_a_value_the_policy_app_would_refuse(self, leavers):
        with pytest.raises(CommandError):
            replay("--since", "2026-01-01", "--set", f"{SEALED_MONTHS}=-1")


class TestParseOverrides:
    def test_types_values_like_the_policy_app(self):
        overrides = parse_overrides([f"{SEALED_MONTHS}=8", "loan.income_ratio=0.45"])

        assert overrides[SEALED_MONTHS] == 8
        assert str(overrides["loan.income_ratio"]) == "0.45"

    def test_refuses_a_pair_without_a_value(self):
        with pytest.raises(ValueError):
            parse_overrides([SEALED_MONTHS])
