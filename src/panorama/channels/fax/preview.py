"""A fax's first page as a PNG for the timeline: PDF through PDFium (pypdfium2, whose
wheel ships the library), TIFF through Pillow. A document that cannot be drawn is
still stored; it just has no preview."""

import io
from dataclasses import dataclass

import pypdfium2 as pdfium
from PIL import Image

PREVIEW_WIDTH = 900


@dataclass
class Preview:
    png: bytes
    pages: int


def kind_of(content: bytes) -> str:
    """ "application/pdf", "image/tiff" or "" from the file's first bytes (never from
    its name or declared type, which senders get wrong)."""
    if content[:5] == b"%PDF-":
        return "application/pdf"
    if content[:4] in (b"II*\x00", b"MM\x00*"):
        return "image/tiff"
    return ""


def _png(image: Image.Image) -> bytes:
    image = image.convert("L") if image.mode not in ("L", "RGB") else image
    if image.width > PREVIEW_WIDTH:
        image = image.resize((PREVIEW_WIDTH, max(1, image.height * PREVIEW_WIDTH // image.width)))
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def render(content: bytes, content_type: str) -> Preview:
    """The first page drawn; raises ValueError when the document cannot be read."""
    if content_type == "application/pdf":
        try:
            document = pdfium.PdfDocument(content)
        except pdfium.PdfiumError as exc:
            raise ValueError(str(exc)) from exc
        try:
            pages = len(document)
            if not pages:
                raise ValueError("the PDF has no pages")
            page = document[0]
            width = page.get_width() or 1
            bitmap = page.render(scale=min(4.0, PREVIEW_WIDTH / width))
            return Preview(_png(bitmap.to_pil()), pages)
        finally:
            document.close()
    try:
        with Image.open(io.BytesIO(content)) as image:
            pages = getattr(image, "n_frames", 1)
            image.seek(0)
            return Preview(_png(image.copy()), pages)
    except (OSError, Image.DecompressionBombError, SyntaxError) as exc:
        raise ValueError(str(exc)) from exc
