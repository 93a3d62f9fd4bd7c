"""No raw ID or card number reaches a log line in realistic flows.

Each flow is logged at DEBUG into pytest's ``caplog`` and into a real handler carrying the
filter configured in ``settings.LOGGING``; neither may hold a raw number afterwards. Flows that
put a number in a line (a 404 on a path holding an ID number, an exception about a card) also
show the masked form, so the test sees that the lines were captured at all.
"""

import logging
from datetime import date
from io import StringIO

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.module_loading import import_string
from rest_framework.test import APIClient

from accounts.services import set_bank_card
from core.crypto import mask_bank_card, mask_id_number
from core.logscrub import ScrubPersonalNumbers
from fundportal.celery import app as celery_app
from integrations.gov import ports
from integrations.gov.fakes import FakeSocialSecurity

CARD = "6222021234567890128"


def _configured_filter() -> logging.Filter:
    return import_string(settings.LOGGING["filters"]["scrub"]["()"])()


@pytest.fixture
def captured(caplog):
    """Everything logged during the test, as caplog and as a configured handler saw it."""
    stream = StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(import_string(settings.LOGGING["formatters"][settings.LOG_FORMAT]["()"])())
    handler.addFilter(_configured_filter())
    caplog.handler.addFilter(_configured_filter())
    root = logging.getLogger()
    root.addHandler(handler)
    caplog.set_level(logging.DEBUG)
    try:
        yield lambda: caplog.text + "\n".join(r.getMessage() for r in caplog.records) + stream.getvalue()
    finally:
        root.removeHandler(handler)


class TestLoggingSettings:
    def test_puts_the_filter_on_every_handler(self):
        handlers = settings.LOGGING["handlers"]

        assert handlers
        assert all("scrub" in handler.get("filters", []) for handler in handlers.values())

    def test_filters_the_live_root_handlers(self):
        handlers = [h for h in logging.getLogger().handlers if type(h) is logging.StreamHandler]

        assert handlers
        assert all(any(isinstance(f, ScrubPersonalNumbers) for f in h.filters) for h in handlers)

    def test_leaves_the_root_logger_to_celery_workers(self):
        assert celery_app.conf.worker_hijack_root_logger is False


@pytest.mark.django_db
class TestLoggedFlows:
    def test_a_failed_login_with_an_id_number_leaves_no_number(self, client, captured, employee_account):
        id_number = employee_account.person.id_number

        client.post(reverse("web:login"), {"username": id_number.lower(), "password": "wrong-password-1"})
        APIClient().post(reverse("api:token"), {"username": id_number, "password": "wrong"}, format="json")

        output = captured()
        assert id_number not in output.upper()

    def test_a_path_holding_an_id_number_is_logged_masked(self, client, captured, employee_account):
        id_number = employee_account.person.id_number

        client.get(f"/api/v1/seals/{id_number}")
        client.get(f"/no-such-page/{id_number}/")

        output = captured()
        assert id_number not in output
        assert mask_id_number(id_number) in output

    def test_a_withdrawal_application_leaves_no_number(
        self, captured, employee, employee_account, sources, django_capture_on_commit_callbacks
    ):
        person = employee_account.person
        set_bank_card(person=person, card_number=CARD, verified_at=timezone.now(), actor=None)
        person.refresh_from_db()
        sources(
            social_security=FakeSocialSecurity(
                retirement={
                    person.id_number: ports.RetirementRecord(retired=True, retired_on=date(2025, 6, 1))
                }
            )
        )
        api = APIClient()
        api.force_authenticate(employee)

        with django_capture_on_commit_callbacks(execute=True):
            api.post(reverse("api:withdrawals"), {"consent": True, "reason": "RETIREMENT"}, format="json")
        logging.getLogger("withdrawals").info("applied: %s to card %s", person.id_number, person.bank_card)

        output = captured()
        assert person.id_number not in output
        assert CARD not in output
        assert mask_bank_card(CARD) in output

    def test_an_exception_about_a_card_is_logged_masked(self, captured):
        spaced = " ".join(CARD[i : i + 4] for i in range(0, len(CARD), 4))
        try:
            raise RuntimeError(f"bank refused card {spaced} ({CARD})")
        except RuntimeError:
            logging.getLogger("django.request").exception("Internal Server Error: /api/v1/me/card")

        output = captured()
        assert "RuntimeError" in output
        assert CARD not in output
        assert spaced not in output
