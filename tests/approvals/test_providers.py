"""The loan facts from the credit report, through the fakes: until the centre keeps its own loan
book, a fund loan of this centre is one the bureau reports with this centre's code."""

from datetime import date, timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from approvals.engine import UNKNOWN, Outcome, evaluate, rule_set
from approvals.models import Application, ApplicationStatus, DecisionPurpose
from approvals.providers import gather_facts
from approvals.services import check_eligibility, submit_application
from integrations.gov import ports
from integrations.gov.fakes import FakeCreditBureau
from tests.approvals.factories import account_with_deposits
from tests.approvals.rulesets.builders import PARAMS
from tests.loans.factories import buying

pytestmark = pytest.mark.django_db

PAYMENT = 200_000  # fen a month
# The factories' people are born from 1970 on: a short term keeps them within the age limit.
SHORT_TERM = {"term_months": 60}


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def borrower(today):
    """A depositor of a year: 12 deposits of 2,400 yuan, a balance of 28,800 yuan."""
    return account_with_deposits(today=today, months=12).person


def loan(*, kind=ports.FUND_LOAN, centre=None, status=ports.REPAYING, opened_on=date(2023, 3, 10)):
    return ports.CreditLoan(
        kind=kind,
        lender="厦门市住房公积金管理中心" if kind == ports.FUND_LOAN else "某商业银行",
        principal=50_000_000,
        monthly_payment=PAYMENT,
        status=status,
        opened_on=opened_on,
        centre=centre if centre is not None or kind != ports.FUND_LOAN else settings.FUND_CENTRE_CODE,
    )


def bureau(person, *loans, overdue_months=0):
    report = ports.CreditReport(
        loans=loans,
        overdue_months_last_24=overdue_months,
        monthly_debt=sum(each.monthly_payment for each in loans if each.status == ports.REPAYING),
    )
    return FakeCreditBureau(reports={person.id_number: report})


def facts_for(name, person, today, payload=None):
    return gather_facts(
        rule_set(name),
        person=person,
        payload=payload or {},
        params=PARAMS,
        on=today,
        purpose="test",
        requested_by="test",
    ).facts


def decide(name, person, today, payload=None):
    if name == "LOAN_ELIGIBILITY" and payload is None:
        payload = SHORT_TERM
    return evaluate(rule_set(name), facts_for(name, person, today, payload), PARAMS)


def codes(evaluation):
    return [reason.code for reason in evaluation.reasons]


class TestLoanRepayerLikeBorrower:
    """A fund loan of this centre in repayment, as the sandbox seeds the loan_repayer persona."""

    def test_facts_come_from_the_credit_report(self, sources, borrower, today):
        sources(credit_bureau=bureau(borrower, loan()))

        monthly = facts_for("LOAN_REPAYMENT_MONTHLY", borrower, today)
        annual = facts_for("LOAN_REPAYMENT_ANNUAL", borrower, today)
        eligibility = facts_for("LOAN_ELIGIBILITY", borrower, today)

        assert (monthly.centre_loan_status, monthly.overdue_months, monthly.entrusted_deduction) == (
            "repaying",
            0,
            False,
        )
        assert annual.centre_loan_repaying is True
        assert annual.repaid_last_12_months == 12 * PAYMENT
        assert eligibility.centre_loan_repaying is True

    def test_monthly_entrusted_repayment_is_approved(self, sources, borrower, today):
        sources(credit_bureau=bureau(borrower, loan()))

        evaluation = decide("LOAN_REPAYMENT_MONTHLY", borrower, today)

        assert evaluation.outcome is Outcome.APPROVE

    def test_annual_withdrawal_within_the_limit_is_approved(self, sources, borrower, today):
        sources(credit_bureau=bureau(borrower, loan()))

        facts = facts_for("LOAN_REPAYMENT_ANNUAL", borrower, today, {"amount": 2_000_000})
        evaluation = evaluate(rule_set("LOAN_REPAYMENT_ANNUAL"), facts, PARAMS)

        assert evaluation.outcome is Outcome.APPROVE
        # the lesser of the estimated repayments (2,400 yuan) and the balance (2,880 yuan)
        assert rule_set("LOAN_REPAYMENT_ANNUAL").amount_limit(facts, PARAMS) == 12 * PAYMENT

    def test_submitted_applications_are_approved(self, sources, borrower, today):
        sources(credit_bureau=bureau(borrower, loan()))

        monthly = submit_application(
            kind="withdrawal",
            reason="LOAN_REPAYMENT_MONTHLY",
            applicant=borrower,
            channel="WEB",
            payload={},
            actor=None,
        )
        annual = submit_application(
            kind="withdrawal",
            reason="LOAN_REPAYMENT_ANNUAL",
            applicant=borrower,
            channel="WEB",
            payload={"amount": 2_000_000},
            actor=None,
        )

        assert (monthly.status, annual.status) == (ApplicationStatus.APPROVED, ApplicationStatus.APPROVED)
        assert monthly.decisions.get().facts["centre_loan_status"] == "repaying"

    def test_loan_eligibility_refuses_a_second_fund_loan(self, sources, borrower, today):
        sources(**buying(borrower), credit_bureau=bureau(borrower, loan()))

        decision = check_eligibility(
            reason="LOAN_ELIGIBILITY", person=borrower, channel="WEB", actor=None, payload=SHORT_TERM
        )

        assert (decision.purpose, decision.outcome) == (DecisionPurpose.PRECHECK, "REJECT")
        assert [r["rule"] for r in decision.results if r["status"] == "FAIL"] == ["NO_FUND_LOAN_IN_REPAYMENT"]

    def test_annual_repayments_count_only_the_months_since_the_loan_was_opened(
        self, sources, borrower, today
    ):
        opened = today - timedelta(days=100)  # three complete months at most
        sources(credit_bureau=bureau(borrower, loan(opened_on=opened)))

        facts = facts_for("LOAN_REPAYMENT_ANNUAL", borrower, today)

        months = (today.year - opened.year) * 12 + today.month - opened.month
        months -= today.day < opened.day
        assert facts.repaid_last_12_months == months * PAYMENT

    def test_an_overdue_month_leaves_the_annual_repayments_to_staff(self, sources, borrower, today):
        sources(credit_bureau=bureau(borrower, loan(), overdue_months=1))

        evaluation = decide("LOAN_REPAYMENT_ANNUAL", borrower, today)

        assert (evaluation.outcome, codes(evaluation)) == (Outcome.REFER, ["REPAYMENTS_UNKNOWN"])

    def test_an_overdue_month_refers_the_monthly_repayment(self, sources, borrower, today):
        sources(credit_bureau=bureau(borrower, loan(), overdue_months=2))

        evaluation = decide("LOAN_REPAYMENT_MONTHLY", borrower, today)

        assert (evaluation.outcome, codes(evaluation)) == (Outcome.REFER, ["RECENT_OVERDUE_TO_CHECK"])

    def test_a_deduction_approved_for_this_loan_is_not_set_up_twice(self, sources, borrower, today):
        sources(credit_bureau=bureau(borrower, loan()))
        first = submit_application(
            kind="withdrawal",
            reason="LOAN_REPAYMENT_MONTHLY",
            applicant=borrower,
            channel="WEB",
            payload={},
            actor=None,
        )
        assert first.status == ApplicationStatus.APPROVED

        evaluation = decide("LOAN_REPAYMENT_MONTHLY", borrower, today)

        assert codes(evaluation) == ["MONTHLY_DEDUCTION_ALREADY_SET_UP"]

    def test_a_deduction_approved_before_the_loan_was_opened_does_not_count(self, sources, borrower, today):
        sources(credit_bureau=bureau(borrower, loan(opened_on=today)))
        Application.objects.create(
            kind="withdrawal",
            reason="LOAN_REPAYMENT_MONTHLY",
            applicant=borrower,
            channel="WEB",
            payload={},
            status=ApplicationStatus.APPROVED,
            decided_at=timezone.now() - timedelta(days=400),
            due_on=today,
        )

        facts = facts_for("LOAN_REPAYMENT_MONTHLY", borrower, today)

        assert facts.entrusted_deduction is False


class TestBureauUnavailable:
    @pytest.mark.parametrize("name", ["LOAN_REPAYMENT_MONTHLY", "LOAN_REPAYMENT_ANNUAL", "LOAN_ELIGIBILITY"])
    def test_refers_and_never_rejects(self, sources, borrower, today, name):
        sources(**buying(borrower), credit_bureau=FakeCreditBureau(unavailable=True))

        evaluation = decide(name, borrower, today)

        assert evaluation.outcome is Outcome.REFER
        assert "CREDIT_REPORT_UNKNOWN" in codes(evaluation)

    def test_the_centre_loan_facts_are_unknown(self, sources, borrower, today):
        sources(credit_bureau=FakeCreditBureau(unavailable=True))

        monthly = facts_for("LOAN_REPAYMENT_MONTHLY", borrower, today)
        annual = facts_for("LOAN_REPAYMENT_ANNUAL", borrower, today)
        eligibility = facts_for("LOAN_ELIGIBILITY", borrower, today)

        assert (monthly.centre_loan_status, monthly.overdue_months) == (UNKNOWN, UNKNOWN)
        assert (annual.centre_loan_repaying, annual.repaid_last_12_months) == (UNKNOWN, UNKNOWN)
        assert eligibility.centre_loan_repaying is UNKNOWN

    def test_a_submitted_monthly_repayment_is_referred(self, sources, borrower):
        sources(credit_bureau=FakeCreditBureau(unavailable=True))

        application = submit_application(
            kind="withdrawal",
            reason="LOAN_REPAYMENT_MONTHLY",
            applicant=borrower,
            channel="WEB",
            payload={},
            actor=None,
        )

        assert application.status == ApplicationStatus.REFERRED


class TestOtherLoans:
    def test_a_commercial_loan_is_not_a_centre_loan(self, sources, borrower, today):
        sources(credit_bureau=bureau(borrower, loan(kind=ports.COMMERCIAL_LOAN)))

        evaluation = decide("LOAN_REPAYMENT_MONTHLY", borrower, today)

        assert (evaluation.outcome, codes(evaluation)) == (Outcome.REJECT, ["NO_CENTRE_LOAN_IN_REPAYMENT"])

    def test_a_commercial_loan_does_not_block_a_fund_loan(self, sources, borrower, today):
        sources(**buying(borrower), credit_bureau=bureau(borrower, loan(kind=ports.COMMERCIAL_LOAN)))

        facts = facts_for("LOAN_ELIGIBILITY", borrower, today, SHORT_TERM)

        assert facts.centre_loan_repaying is False
        assert evaluate(rule_set("LOAN_ELIGIBILITY"), facts, PARAMS).outcome is Outcome.APPROVE

    def test_another_centres_fund_loan_is_not_this_centres(self, sources, borrower, today):
        sources(**buying(borrower), credit_bureau=bureau(borrower, loan(centre="350100")))

        monthly = decide("LOAN_REPAYMENT_MONTHLY", borrower, today)
        eligibility = decide("LOAN_ELIGIBILITY", borrower, today)

        assert codes(monthly) == ["NO_CENTRE_LOAN_IN_REPAYMENT"]
        assert codes(eligibility) == ["FUND_LOAN_IN_REPAYMENT"]

    def test_a_settled_centre_loan_is_reported_settled(self, sources, borrower, today):
        sources(credit_bureau=bureau(borrower, loan(status=ports.SETTLED)))

        facts = facts_for("LOAN_REPAYMENT_MONTHLY", borrower, today)

        assert facts.centre_loan_status == "settled"
        assert codes(evaluate(rule_set("LOAN_REPAYMENT_MONTHLY"), facts, PARAMS)) == [
            "NO_CENTRE_LOAN_IN_REPAYMENT"
        ]

    def test_no_file_at_the_bureau_is_no_loan(self, sources, borrower, today):
        sources(credit_bureau=FakeCreditBureau())

        monthly = facts_for("LOAN_REPAYMENT_MONTHLY", borrower, today)
        annual = facts_for("LOAN_REPAYMENT_ANNUAL", borrower, today)

        assert (monthly.centre_loan_status, monthly.overdue_months) == (None, 0)
        assert (annual.centre_loan_repaying, annual.bureau_loans, annual.repaid_last_12_months) == (
            False,
            (),
            0,
        )
