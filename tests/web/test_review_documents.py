"""Reviewing staff open an applicant's documents from the case page; every opening is audited."""

import hashlib

import pytest
from django.urls import reverse

from accounts import roles
from accounts.roles import ensure_roles
from approvals.models import ApplicationDocument
from audit.models import AuditEvent
from tests.accounts.factories import UserFactory
from tests.approvals.factories import referred_case, staff_user

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7 diagnosis"


@pytest.fixture
def case_with_document():
    case = referred_case(reason="SERIOUS_ILLNESS")
    document = ApplicationDocument.objects.create(
        application=case.application,
        filename="诊断证明.pdf",
        content_type="application/pdf",
        size=len(PDF),
        sha256=hashlib.sha256(PDF).hexdigest(),
        content=PDF,
    )
    return case, document


class TestReviewDocuments:
    def test_lists_the_documents_on_the_case_page(self, client, case_with_document):
        case, document = case_with_document
        client.force_login(staff_user(username="reviewer"))

        response = client.get(
            reverse("web:staff-review-case", args=[case.pk]), headers={"accept-language": "en"}
        )

        assert "诊断证明.pdf" in response.text
        assert reverse("web:staff-review-document", args=[case.pk, document.pk]) in response.text

    def test_shows_a_document_inline_and_records_who_opened_it(self, client, case_with_document):
        case, document = case_with_document
        reviewer = staff_user(username="reviewer")
        client.force_login(reviewer)

        response = client.get(reverse("web:staff-review-document", args=[case.pk, document.pk]))

        assert response.status_code == 200
        assert response.content == PDF
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"].startswith("inline")
        assert response["Cache-Control"] == "private, no-store"
        opened = AuditEvent.objects.get(action="approvals.document_opened")
        assert opened.actor == reviewer
        assert opened.data["sha256"] == document.sha256

    def test_refuses_staff_who_do_not_review_cases(self, client, case_with_document):
        case, document = case_with_document
        auditor = UserFactory(username="auditor", is_staff=True)
        auditor.groups.add(ensure_roles()[roles.STAFF_AUDITOR])
        client.force_login(auditor)

        response = client.get(reverse("web:staff-review-document", args=[case.pk, document.pk]))

        assert response.status_code == 403
        assert not AuditEvent.objects.filter(action="approvals.document_opened").exists()

    def test_does_not_serve_a_document_through_another_case(self, client, case_with_document):
        _case, document = case_with_document
        other = referred_case(reason="DISASTER")
        client.force_login(staff_user(username="reviewer"))

        response = client.get(reverse("web:staff-review-document", args=[other.pk, document.pk]))

        assert response.status_code == 404
