"""Chinese PDFs carry their own font, draw on any machine and keep a long table readable."""

import pypdfium2 as pdfium

from core.pdf import ChineseDocument, Column

COLUMNS = [
    Column("期次", 20, "C"),
    Column("还款额（元）", 50, "R"),
    Column("本金（元）", 50, "R"),
    Column("利息（元）", 54, "R"),
]


def long_document() -> bytes:
    document = ChineseDocument(title="住房公积金借款合同", footer_note="验证码 7KQ2M9XC4RTA")
    document.title_block("住房公积金借款合同", subtitle="合同编号 DK-2026-000042")
    document.section("第一条 借款金额与期限")
    document.fields([("借款人", "张三"), ("借款金额", "600,000.00 元"), ("期限", "360 个月")])
    document.paragraph("借款人按月归还借款本息，具体见下表。" * 5)
    document.table(COLUMNS, [[str(n), "2,402.04", "1,102.04", "1,300.00"] for n in range(1, 121)])
    document.qr_code("https://gjj.example.gov.cn/certificates/7KQ2M9XC4RTA")
    return document.render()


def page_texts(pdf: bytes) -> list[str]:
    document = pdfium.PdfDocument(pdf)
    try:
        return [document[index].get_textpage().get_text_range() for index in range(len(document))]
    finally:
        document.close()


def test_the_document_embeds_its_font_so_no_reader_needs_one_installed():
    pdf = long_document()

    assert b"/FontFile" in pdf  # the font program travels inside the file
    assert len(pdf) < 200_000  # only the glyphs used, not the whole 8 MB font


def test_chinese_text_comes_back_out_of_the_file_as_written():
    texts = page_texts(long_document())

    assert "住房公积金借款合同" in texts[0]
    assert "600,000.00 元" in texts[0]
    assert "借款人按月归还借款本息" in texts[0]


def test_a_long_table_runs_onto_more_pages_with_its_headings_repeated_and_numbered_footers():
    texts = page_texts(long_document())

    assert len(texts) >= 3
    for number, text in enumerate(texts, start=1):
        assert f"第 {number} 页 / 共 {len(texts)} 页" in text
        assert "验证码 7KQ2M9XC4RTA" in text
    assert all("还款额（元）" in text for text in texts[1:])
    assert "120" in texts[-1]


def test_every_page_renders_to_an_image_with_ink_on_it():
    document = pdfium.PdfDocument(long_document())
    try:
        for index in range(len(document)):
            image = document[index].render(scale=1).to_pil().convert("L")
            dark = sum(image.histogram()[:128])
            assert abs(image.size[0] - 595) <= 1 and abs(image.size[1] - 842) <= 1  # A4 at 72 dpi
            assert dark > 2_000  # text and rules were drawn, not a blank page
    finally:
        document.close()
