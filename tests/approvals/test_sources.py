"""The consent screen names exactly the sources each reason's gatherer asks: checked against the
query log of a real gathering, with a married employee so that the spouse's questions are asked too."""

import pytest
from django.utils import timezone

from approvals.engine import rule_set
from approvals.providers import gather_facts
from approvals.sources import SOURCES_BY_REASON, own_records_text, sources_for
from integrations.gov import ports
from integrations.gov.fakes import FakeCivilAffairs
from integrations.gov.registry import QueryLog
from tests.approvals.factories import account_with_deposits
from tests.approvals.rulesets.builders import PARAMS

pytestmark = pytest.mark.django_db

SPOUSE_ID = "110101199003074477"


def asked(reason, person, payload=None):
    log = QueryLog()
    gather_facts(
        rule_set(reason),
        person=person,
        payload=payload or {},
        params=PARAMS,
        on=timezone.localdate(),
        purpose="test",
        requested_by="test",
        query_log=log,
    )
    return {f"{row['source']}.{row['operation']}" for row in log._rows}


class TestSourcesByReason:
    @pytest.mark.parametrize("reason", sorted(SOURCES_BY_REASON))
    def test_names_every_source_the_gathering_asks_and_no_other(self, reason, sources):
        person = account_with_deposits(today=timezone.localdate(), months=12).person
        sources(
            civil_affairs=FakeCivilAffairs(
                marriages={
                    person.id_number: ports.MarriageRecord(status=ports.MARRIED, spouse_id_number=SPOUSE_ID)
                }
            )
        )

        questions = asked(reason, person)

        assert questions == {use.key for use in sources_for(reason)}

    def test_says_when_the_spouse_is_asked_about_too(self):
        assert all(use.spouse_too for use in sources_for("RENT") if use.source == ports.REAL_ESTATE)
        assert not any(use.spouse_too for use in sources_for("LEAVING_CITY"))

    def test_asks_nothing_for_a_reason_staff_decide_from_documents(self):
        assert sources_for("SERIOUS_ILLNESS") == ()

    def test_speaks_the_readers_language(self):
        use = sources_for("RETIREMENT")[0]

        assert use.text("en").startswith("Social security")
        assert use.text("zh-hans").startswith("社保部门")
        assert own_records_text("en").startswith("This centre")
