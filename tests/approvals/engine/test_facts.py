import json
from dataclasses import dataclass
from datetime import date, datetime

import pytest

from approvals.engine import UNKNOWN, Facts, InvalidFacts, Unknown


@dataclass(frozen=True, kw_only=True)
class Visit(Facts):
    on: date
    ended_on: date | None


@dataclass(frozen=True, kw_only=True)
class SampleFacts(Facts):
    applied_on: date
    count: int
    flag: bool
    region: str | Unknown | None
    visits: tuple[Visit, ...] | Unknown
    latest: Visit | Unknown | None = None


def sample(**changes) -> SampleFacts:
    values = {
        "applied_on": date(2026, 7, 31),
        "count": 3,
        "flag": False,
        "region": "3502",
        "visits": (Visit(on=date(2026, 1, 1), ended_on=None),),
    } | changes
    return SampleFacts(**values)


class TestFactsConstruction:
    @pytest.mark.parametrize(
        "changes",
        [
            {"count": True},
            {"count": "3"},
            {"flag": 0},
            {"region": 3502},
            {"applied_on": datetime(2026, 7, 31, 10, 0)},
            {"visits": [Visit(on=date(2026, 1, 1), ended_on=None)]},
            {"visits": None},
            {"latest": {"on": "2026-01-01", "ended_on": None}},
        ],
    )
    def test_refuses_a_value_of_the_wrong_type(self, changes):
        with pytest.raises(InvalidFacts):
            sample(**changes)

    def test_accepts_unknown_where_the_type_admits_it(self):
        facts = sample(region=UNKNOWN, visits=UNKNOWN, latest=UNKNOWN)

        assert facts.region is UNKNOWN

    def test_names_the_fields_that_may_be_unknown(self):
        names = SampleFacts.external_fields()

        assert names == ("region", "visits", "latest")


class TestFactsJson:
    def test_writes_dates_as_iso_strings_and_unknown_as_a_marker(self):
        facts = sample(region=UNKNOWN, latest=Visit(on=date(2026, 2, 1), ended_on=date(2026, 3, 1)))

        data = facts.to_json()

        assert data == {
            "applied_on": "2026-07-31",
            "count": 3,
            "flag": False,
            "region": {"unknown": True},
            "visits": [{"on": "2026-01-01", "ended_on": None}],
            "latest": {"on": "2026-02-01", "ended_on": "2026-03-01"},
        }

    def test_reads_back_what_it_wrote_through_json_text(self):
        facts = sample(region=None, latest=UNKNOWN)

        restored = SampleFacts.from_json(json.loads(json.dumps(facts.to_json())))

        assert restored == facts

    @pytest.mark.parametrize(
        "changes",
        [
            {"applied_on": "31/07/2026"},
            {"applied_on": "2026-07-31T10:00:00"},
            {"count": {"unknown": True}},
            {"visits": "2026-01-01"},
            {"surplus": 1},
        ],
    )
    def test_refuses_a_document_that_does_not_fit(self, changes):
        data = sample().to_json() | changes

        with pytest.raises(InvalidFacts):
            SampleFacts.from_json(data)

    def test_refuses_a_document_missing_a_required_field(self):
        data = sample().to_json()
        del data["count"]

        with pytest.raises(InvalidFacts, match="count"):
            SampleFacts.from_json(data)

    def test_fills_a_missing_defaulted_field_with_its_default(self):
        data = sample().to_json()
        del data["latest"]

        restored = SampleFacts.from_json(data)

        assert restored.latest is None
