"""Documents for staff review are taken by what they are, not by what they are called."""

import pytest

from approvals.documents import DocumentRefused, Upload, check_documents

PDF = b"%PDF-1.7\n" + b"0" * 100
JPEG = b"\xff\xd8\xff\xe0" + b"0" * 100


class TestCheckDocuments:
    def test_takes_pdf_jpeg_and_png_by_their_first_bytes(self):
        checked = check_documents([Upload("scan", PDF), Upload("photo.dat", JPEG)])

        assert [(d.filename, d.content_type, d.size) for d in checked] == [
            ("scan", "application/pdf", len(PDF)),
            ("photo.dat", "image/jpeg", len(JPEG)),
        ]
        assert len(checked[0].sha256) == 64

    @pytest.mark.parametrize(
        ("uploads", "code"),
        [
            ([Upload("empty.pdf", b"")], "EMPTY_DOCUMENT"),
            ([Upload("big.pdf", b"%PDF-" + b"0" * (10 * 1024 * 1024))], "DOCUMENT_TOO_LARGE"),
            ([Upload("virus.pdf", b"MZ\x90\x00")], "DOCUMENT_TYPE_NOT_ACCEPTED"),
            ([Upload(f"{n}.pdf", PDF) for n in range(11)], "TOO_MANY_DOCUMENTS"),
        ],
        ids=["empty", "too large", "not what it says", "too many"],
    )
    def test_refuses_with_a_stable_code_naming_the_file(self, uploads, code):
        with pytest.raises(DocumentRefused) as refused:
            check_documents(uploads)

        assert refused.value.code == code

    def test_follows_the_configured_size_limit(self, settings):
        settings.APPLICATION_DOCUMENT_MAX_BYTES = 50

        with pytest.raises(DocumentRefused, match=r"small\.pdf"):
            check_documents([Upload("small.pdf", PDF)])
