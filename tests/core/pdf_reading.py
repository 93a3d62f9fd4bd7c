"""Reading a generated PDF back as a reader would: its text, and its one page drawn as an image."""

import io

import pypdfium2 as pdfium
from PIL import Image


def texts(pdf: bytes) -> str:
    """The text of every page, as a PDF reader extracts it."""
    document = pdfium.PdfDocument(pdf)
    try:
        return "\n".join(document[i].get_textpage().get_text_range() for i in range(len(document)))
    finally:
        document.close()


def one_page_as_png(pdf: bytes) -> Image.Image:
    """The document's only page drawn at twice its size, through a PNG as an image viewer would get it."""
    document = pdfium.PdfDocument(pdf)
    try:
        assert len(document) == 1
        image = document[0].render(scale=2).to_pil()
    finally:
        document.close()
    png = io.BytesIO()
    image.save(png, format="PNG")
    assert png.getvalue().startswith(b"\x89PNG")
    return Image.open(png).convert("L")


def ink(image: Image.Image, box: tuple[int, int, int, int] | None = None) -> int:
    """How many dark pixels ``image`` (or its ``box``) has: blank paper has none."""
    return sum((image.crop(box) if box else image).histogram()[:128])
