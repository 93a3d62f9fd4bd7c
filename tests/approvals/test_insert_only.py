import pytest
from django.db import DatabaseError, transaction

from approvals.models import DecisionRecord, ReviewAction
from approvals.services import claim_case
from tests.approvals.factories import referred_case, staff_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def decision():
    return referred_case().application.decisions.get()


@pytest.fixture
def action():
    case = referred_case()
    claim_case(case=case, actor=staff_user())
    return ReviewAction.objects.get()


class TestDecisionRecordTriggers:
    def test_refuses_an_update(self, decision):
        with pytest.raises(DatabaseError, match="insert-only"), transaction.atomic():
            DecisionRecord.objects.filter(pk=decision.pk).update(outcome="APPROVE")

        decision.refresh_from_db()
        assert decision.outcome == "REFER"

    def test_refuses_a_delete(self, decision):
        with pytest.raises(DatabaseError, match="insert-only"), transaction.atomic():
            DecisionRecord.objects.filter(pk=decision.pk).delete()

        assert DecisionRecord.objects.filter(pk=decision.pk).exists()


class TestReviewActionTriggers:
    def test_refuses_an_update(self, action):
        with pytest.raises(DatabaseError, match="insert-only"), transaction.atomic():
            ReviewAction.objects.filter(pk=action.pk).update(reason="rewritten")

    def test_refuses_a_delete(self, action):
        with pytest.raises(DatabaseError, match="insert-only"), transaction.atomic():
            ReviewAction.objects.filter(pk=action.pk).delete()
