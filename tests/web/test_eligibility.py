"""An employee asks the hall whether a withdrawal would be decided in seconds, and follows applications."""

from datetime import date

import pytest
from django.urls import reverse

from approvals.models import DecisionRecord
from integrations.gov import ports
from integrations.gov.fakes import FakeSocialSecurity
from tests.approvals.factories import referred_case

pytestmark = pytest.mark.django_db


ENGLISH = {"accept-language": "en"}


def retired(person):
    return FakeSocialSecurity(
        retirement={person.id_number: ports.RetirementRecord(retired=True, retired_on=date(2025, 6, 1))}
    )


def _check(client, reason="RETIREMENT", **headers):
    return client.post(reverse("web:hall-check"), {"reason": reason}, headers=headers)


class TestEligibilityCheck:
    def test_offers_the_instant_reasons_and_says_it_is_not_an_application(self, client, employee):
        client.force_login(employee)

        response = client.get(reverse("web:hall-check"), headers=ENGLISH)

        assert [code for code, _label in response.context["choices"]][:2] == ["LEAVING_CITY", "RETIREMENT"]
        assert "it is not an application" in response.text

    def test_tells_a_retiree_in_chinese_that_they_qualify_and_for_how_much(
        self, client, employee, employee_account, sources
    ):
        sources(social_security=retired(employee_account.person))
        client.force_login(employee)

        response = _check(client)

        assert response.context["result"]["outcome"] == "APPROVE"
        assert "4,800.00" in response.text
        assert "您符合条件" in response.text

    def test_tells_the_same_in_english_when_the_browser_asks_for_it(
        self, client, employee, employee_account, sources
    ):
        sources(social_security=retired(employee_account.person))
        client.force_login(employee)

        response = _check(client, **ENGLISH)

        assert "You qualify" in response.text
        assert "4,800.00" in response.text

    def test_explains_a_rejection_in_chinese_by_default(self, client, employee, sources):
        client.force_login(employee)

        response = _check(client)

        assert response.context["result"]["outcome"] == "REJECT"
        assert "社保部门没有您的退休记录" in response.text

    def test_explains_a_rejection_in_english_when_asked(self, client, employee, sources):
        client.force_login(employee)

        response = _check(client, **ENGLISH)

        assert "Social security has no record of your retirement" in response.text

    def test_says_staff_will_review_when_a_source_does_not_answer(self, client, employee, sources):
        sources(social_security=FakeSocialSecurity(unavailable=True))
        client.force_login(employee)

        chinese = _check(client)
        english = _check(client, **ENGLISH)

        assert chinese.context["result"]["outcome"] == "REFER"
        assert "工作人员" in chinese.text
        assert chinese.context["result"]["reasons"][0]["code"] == "RETIREMENT_UNKNOWN"
        assert "staff will review" in english.text

    def test_gives_a_reason_shared_by_two_failing_rules_once(self, client, employee, sources):
        client.force_login(employee)

        response = _check(client, reason="LEAVING_CITY")

        codes = [reason["code"] for reason in response.context["result"]["reasons"]]
        assert "ACCOUNT_NOT_SEALED" in codes
        assert len(codes) == len(set(codes))

    def test_records_a_pre_check_and_no_application(self, client, employee, employee_account, sources):
        client.force_login(employee)

        _check(client)

        decision = DecisionRecord.objects.get(subject=employee_account.person)
        assert decision.purpose == "PRECHECK"
        assert decision.channel == "WEB"
        assert decision.application is None

    def test_asks_again_for_a_reason_it_does_not_offer(self, client, employee, sources):
        client.force_login(employee)

        response = _check(client, reason="DEATH")

        assert response.status_code == 400
        assert not DecisionRecord.objects.exists()

    def test_is_closed_to_staff(self, client, clerk):
        client.force_login(clerk)

        response = client.get(reverse("web:hall-check"))

        assert response.status_code == 403


class TestMyApplications:
    def test_lists_each_application_with_its_timeline(self, client, employee, employee_account):
        referred_case(applicant=employee_account.person)
        client.force_login(employee)

        response = client.get(reverse("web:hall-applications"), headers=ENGLISH)

        timeline = response.context["timelines"][0]
        assert timeline["application"].status == "REFERRED"
        assert [event["what"] for event in timeline["events"]] == ["SUBMITTED", "DECIDED"]
        assert "Referred to staff for review" in response.text

    def test_says_so_when_there_are_none(self, client, employee):
        client.force_login(employee)

        response = client.get(reverse("web:hall-applications"), headers=ENGLISH)

        assert "You have made no applications yet." in response.text
