"""``GET /seals/{code}``: a channel app or a bank checks a seal without logging in."""

import pytest
from django.db import transaction
from django.urls import reverse
from rest_framework.test import APIClient

from audit.models import ElectronicSeal
from audit.seals import document_digest, seal_document, seal_public_key

pytestmark = pytest.mark.django_db


def a_seal():
    with transaction.atomic():
        return seal_document(
            kind="LOAN_APPROVAL", subject="loan-application:7", digest=document_digest("x"), signer=None
        )


def test_answers_whether_the_seal_is_genuine_with_the_public_key_to_check_it_offline():
    seal = a_seal()

    body = APIClient().get(reverse("api:seal", args=[seal.code]), headers={"accept-language": "en"}).json()

    assert body["genuine"] is True and body["revoked"] is False
    assert (body["kind"], body["subject"], body["signer"]) == (
        "LOAN_APPROVAL",
        "loan-application:7",
        "system",
    )
    assert body["public_key"] == seal_public_key()


def test_says_not_genuine_when_the_record_was_changed():
    seal = a_seal()
    ElectronicSeal.objects.filter(pk=seal.pk).update(signer_label="director")

    body = APIClient().get(reverse("api:seal", args=[seal.code])).json()

    assert body["genuine"] is False


def test_an_unknown_code_is_404_in_the_error_shape():
    response = APIClient().get(reverse("api:seal", args=["NOSUCHCODE00"]), headers={"accept-language": "en"})

    assert response.status_code == 404
    assert "NOSUCHCODE00" in response.json()["detail"]
