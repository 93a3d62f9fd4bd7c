"""Log lines: one JSON object per line (production) or a line of text, both naming the request."""

import json
import logging
from datetime import date, datetime
from io import StringIO

from core.identity import make_resident_id
from core.logformat import JsonFormatter, TextFormatter, known_user_id
from core.logscrub import ScrubPersonalNumbers
from core.request_context import _current_request, acting_through

ID_NUMBER = make_resident_id("350203", date(1990, 1, 1), 123)


def _written(formatter, message, *args, exc_info=None, **extra) -> str:
    """What a handler configured like LOGGING's (scrub filter, then the formatter) writes."""
    stream = StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(ScrubPersonalNumbers())
    handler.setFormatter(formatter)
    logger = logging.getLogger("tests.logformat")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        logger.info(message, *args, exc_info=exc_info, extra=extra or None)
    finally:
        logger.removeHandler(handler)
    return stream.getvalue()


class _User:
    def __init__(self, pk, is_authenticated=True):
        self.pk, self.is_authenticated = pk, is_authenticated


class _Request:
    """A request whose user authentication has (or has not) resolved."""


class TestJsonFormatter:
    def test_writes_one_json_object_per_line_with_time_level_logger_and_message(self):
        text = _written(JsonFormatter(), "payout %s sent", 42)

        assert text.count("\n") == 1
        line = json.loads(text)
        assert (line["level"], line["logger"], line["message"]) == (
            "INFO",
            "tests.logformat",
            "payout 42 sent",
        )
        assert datetime.fromisoformat(line["time"]).tzinfo is not None

    def test_carries_the_request_id_and_channel_of_the_work_being_done(self):
        with acting_through("api", request_id="req-7f3a"):
            line = json.loads(_written(JsonFormatter(), "hello"))

        assert (line["request_id"], line["channel"]) == ("req-7f3a", "api")

    def test_masks_an_id_number_because_the_scrub_filter_runs_before_it(self):
        line = json.loads(_written(JsonFormatter(), "lookup %s", ID_NUMBER))

        assert ID_NUMBER not in line["message"]
        assert "3502**********123X" in line["message"]

    def test_includes_the_exception_text_scrubbed(self):
        try:
            raise ValueError(f"bad person {ID_NUMBER}")
        except ValueError:
            import sys

            line = json.loads(_written(JsonFormatter(), "failed", exc_info=sys.exc_info()))

        assert "ValueError" in line["exception"] and "Traceback" in line["exception"]
        assert ID_NUMBER not in line["exception"]

    def test_masks_an_id_number_in_an_access_log_path(self):
        line = json.loads(_written(JsonFormatter(), "GET", path=f"/staff/people/{ID_NUMBER}/", status=200))

        assert line["path"] == "/staff/people/3502**********123X/"
        assert line["status"] == 200

    def test_keeps_chinese_readable(self):
        line = _written(JsonFormatter(), "缴存清单已入账")

        assert "缴存清单已入账" in line

    def test_names_the_signed_in_user_by_id_only_once_authentication_resolved_it(self):
        request = _Request()
        request._cached_user = _User(pk=314)
        token = _current_request.set(request)
        try:
            line = json.loads(_written(JsonFormatter(), "hello"))
        finally:
            _current_request.reset(token)

        assert line["user_id"] == 314

    def test_leaves_the_user_out_when_nobody_is_signed_in(self):
        request = _Request()
        request._cached_user = _User(pk=None, is_authenticated=False)
        token = _current_request.set(request)
        try:
            line = json.loads(_written(JsonFormatter(), "hello"))
        finally:
            _current_request.reset(token)

        assert "user_id" not in line


class _UnresolvedRequest:
    @property
    def user(self):
        raise AssertionError("the log formatter resolved the lazy user (a session query)")


class TestKnownUserId:
    def test_does_not_resolve_a_lazy_user_itself(self):
        assert known_user_id(_UnresolvedRequest()) is None


class TestTextFormatter:
    def test_puts_the_request_id_in_brackets(self):
        with acting_through("web", request_id="abc123"):
            text = _written(TextFormatter(), "hello")

        assert "INFO tests.logformat [abc123] hello" in text

    def test_writes_a_dash_outside_any_request(self):
        text = _written(TextFormatter(), "hello")

        assert "[-] hello" in text
