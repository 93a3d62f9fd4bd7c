"""Checking the documents an applicant uploads for staff review: type by content, size, count.

The type is read from the file's first bytes, never from its name or the browser's word: a
renamed executable is not a PDF. Every refusal says which file and why, and nothing is kept
from an application whose documents are refused.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from core.exceptions import DomainError

#: Leading bytes → (content type, what the applicant calls it).
_SIGNATURES = (
    (b"%PDF-", "application/pdf"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
)
ACCEPTED_TYPES = tuple(content_type for _signature, content_type in _SIGNATURES)


class DocumentRefused(DomainError):
    code = "DOCUMENT_REFUSED"


@dataclass(frozen=True)
class Upload:
    filename: str
    content: bytes


@dataclass(frozen=True)
class CheckedDocument:
    filename: str
    content_type: str
    size: int
    sha256: str
    content: bytes


def max_document_bytes() -> int:
    return int(getattr(settings, "APPLICATION_DOCUMENT_MAX_BYTES", 10 * 1024 * 1024))


def max_documents() -> int:
    return int(getattr(settings, "APPLICATION_DOCUMENT_MAX_COUNT", 10))


def _content_type(content: bytes) -> str | None:
    return next((kind for signature, kind in _SIGNATURES if content.startswith(signature)), None)


def check_documents(uploads: Sequence[Upload]) -> list[CheckedDocument]:
    """The uploads as documents to keep, or :class:`DocumentRefused` naming the first bad file."""
    if len(uploads) > max_documents():
        raise DocumentRefused(
            _("Send at most %(count)s documents with one application.") % {"count": max_documents()},
            code="TOO_MANY_DOCUMENTS",
        )
    checked = []
    limit = max_document_bytes()
    for upload in uploads:
        name = (upload.filename or "").strip()[:200] or "document"
        if not upload.content:
            raise DocumentRefused(_("The file %(name)s is empty.") % {"name": name}, code="EMPTY_DOCUMENT")
        if len(upload.content) > limit:
            raise DocumentRefused(
                _("The file %(name)s is larger than %(limit)s MB.")
                % {"name": name, "limit": limit // (1024 * 1024)},
                code="DOCUMENT_TOO_LARGE",
            )
        content_type = _content_type(upload.content)
        if content_type is None:
            raise DocumentRefused(
                _("The file %(name)s is not a PDF, JPEG or PNG file.") % {"name": name},
                code="DOCUMENT_TYPE_NOT_ACCEPTED",
            )
        checked.append(
            CheckedDocument(
                filename=name,
                content_type=content_type,
                size=len(upload.content),
                sha256=hashlib.sha256(upload.content).hexdigest(),
                content=upload.content,
            )
        )
    return checked


def open_document(*, application_id: int, document_id: int, actor):
    """A document of an application for a reviewer to read; the reading is audited (PIPL).

    Raises :class:`approvals.services.ReviewerNotPermitted` for someone who may not review cases.
    """
    from approvals.models import ApplicationDocument
    from approvals.selectors import may_review
    from approvals.services import ReviewerNotPermitted
    from audit.services import record_event

    if not may_review(actor):
        raise ReviewerNotPermitted(_("Only reviewing staff can open an applicant's documents."))
    with transaction.atomic(durable=True):
        document = ApplicationDocument.objects.get(pk=document_id, application_id=application_id)
        record_event(
            actor=actor,
            action="approvals.document_opened",
            target=document.application,
            summary=f"查阅申请材料 {document.filename}",
            data={"document": document.pk, "sha256": document.sha256},
        )
    return document
