"""Anyone holding a sealed document checks the seal on the public page, without logging in."""

import pytest
from django.db import transaction
from django.urls import reverse

from audit.models import ElectronicSeal
from audit.seals import document_digest, revoke_seal, seal_document
from tests.approvals.factories import staff_user

pytestmark = pytest.mark.django_db


def a_seal():
    with transaction.atomic():
        return seal_document(
            kind="LOAN_APPROVAL",
            subject="loan-application:42",
            digest=document_digest({"case": 42}),
            signer=staff_user(username="deputy_director"),
        )


def test_a_genuine_seal_shows_what_it_seals_who_sealed_it_and_when(client):
    seal = a_seal()

    page = client.get(reverse("web:seal", args=[seal.code]), headers={"accept-language": "zh-hans"})

    text = page.content.decode()
    assert page.status_code == 200
    assert "真实有效" in text
    assert "公积金贷款终审" in text and "loan-application:42" in text and "deputy_director" in text


def test_the_page_speaks_english_too(client):
    seal = a_seal()

    text = client.get(
        reverse("web:seal", args=[seal.code]), headers={"accept-language": "en"}
    ).content.decode()

    assert "Genuine and in force" in text
    assert "Housing fund loan approval" in text


def test_a_code_typed_with_spaces_and_look_alike_letters_finds_the_seal(client):
    seal = a_seal()
    typed = f"{seal.code[:4].lower()} {seal.code[4:]}".replace("0", "O")

    found = client.get(reverse("web:seal-find"), {"code": typed})

    assert found.status_code == 302
    assert found.url == reverse("web:seal", args=[seal.code])


def test_a_revoked_seal_says_so_and_why(client):
    seal = a_seal()
    revoke_seal(code=seal.code, reason="借款合同已解除", actor=staff_user(username="auditor"))

    text = client.get(
        reverse("web:seal", args=[seal.code]), headers={"accept-language": "zh-hans"}
    ).content.decode()

    assert "已撤销" in text and "借款合同已解除" in text


def test_an_altered_seal_is_reported_as_not_genuine(client):
    seal = a_seal()
    ElectronicSeal.objects.filter(pk=seal.pk).update(subject="loan-application:43")

    text = client.get(
        reverse("web:seal", args=[seal.code]), headers={"accept-language": "en"}
    ).content.decode()

    assert "Not genuine" in text
    assert "loan-application:43" not in text


def test_an_unknown_code_is_a_clear_not_found(client):
    page = client.get(reverse("web:seal", args=["NOSUCHCODE00"]), headers={"accept-language": "en"})

    assert page.status_code == 404
    assert "No seal has the verification code NOSUCHCODE00" in page.content.decode()
