import time

import pytest

from approvals.engine import UNKNOWN
from approvals.gathering import ERROR, NOT_FOUND, OK, TIMEOUT, UNAVAILABLE, gather
from integrations.gov.ports import RealEstateUnavailable


def answers_after(seconds, value):
    def request(timeout):
        time.sleep(seconds)
        return value

    return request


def raises(error):
    def request(timeout):
        raise error

    return request


class TestGather:
    def test_asks_every_source_in_parallel(self):
        requests = {f"source{n}": answers_after(0.2, n) for n in range(5)}

        started = time.monotonic()
        answers = gather(requests, per_source_timeout=1, deadline=2)
        elapsed = time.monotonic() - started

        assert {key: answer.value for key, answer in answers.items()} == {f"source{n}": n for n in range(5)}
        assert all(answer.outcome == OK for answer in answers.values())
        assert elapsed < 0.6

    def test_passes_each_request_the_smaller_of_its_timeout_and_the_deadline(self):
        seen = []

        def request(timeout):
            seen.append(timeout)
            return "answer"

        gather({"a": request}, per_source_timeout=2, deadline=0.5)

        assert seen == [0.5]

    def test_turns_an_unavailable_source_into_unknown(self):
        answers = gather({"real_estate": raises(RealEstateUnavailable("down"))})

        assert answers["real_estate"].value is UNKNOWN
        assert answers["real_estate"].outcome == UNAVAILABLE

    def test_turns_any_other_exception_into_unknown(self):
        answers = gather({"buggy": raises(ZeroDivisionError())})

        assert answers["buggy"].value is UNKNOWN
        assert answers["buggy"].outcome == ERROR

    def test_gives_up_on_a_request_at_the_deadline(self):
        requests = {"slow": answers_after(1.0, "late"), "fast": answers_after(0.01, "early")}

        started = time.monotonic()
        answers = gather(requests, per_source_timeout=2, deadline=0.2)
        elapsed = time.monotonic() - started

        assert answers["slow"].value is UNKNOWN
        assert answers["slow"].outcome == TIMEOUT
        assert answers["fast"].value == "early"
        # A correctness bound, not a performance figure.
        assert elapsed < 0.2 + 0.3

    def test_tells_no_record_from_an_answer(self):
        answers = gather({"none": answers_after(0, None), "empty": answers_after(0, ())})

        assert answers["none"].outcome == NOT_FOUND
        assert answers["empty"].outcome == NOT_FOUND
        assert answers["none"].answered

    def test_records_each_latency(self):
        answers = gather({"a": answers_after(0.05, 1)})

        assert 40 <= answers["a"].latency_ms < 1000

    def test_answers_nothing_for_no_requests(self):
        assert gather({}) == {}


@pytest.mark.parametrize("deadline", [0.0])
def test_a_zero_deadline_times_everything_out(deadline):
    answers = gather({"a": answers_after(0.05, 1)}, deadline=deadline)

    assert answers["a"].outcome == TIMEOUT
