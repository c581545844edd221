"""The certificate as a one-page PDF (fpdf2, pure Python) with a QR code (segno) of its
verification URL. A revoked certificate is refused by the view (410), never drawn."""

from __future__ import annotations

import io
from pathlib import Path

import segno
from django.conf import settings
from fpdf import FPDF

from cohortkit.certificates.models import Certificate, CertificateRole
from cohortkit.certificates.signing import verification_url


def _font(pdf: FPDF) -> tuple[str, bool]:
    """The Unicode font if the machine has it (any name prints), else the core font."""
    path = Path(settings.CERTIFICATE_FONT_FILE) if settings.CERTIFICATE_FONT_FILE else None
    if path is not None and path.is_file():
        pdf.add_font("Certificate", "", str(path))
        return "Certificate", True
    return "Helvetica", False


def _latin1(text: str) -> str:
    return text.encode("latin-1", "replace").decode("latin-1")


def certificate_pdf(certificate: Certificate) -> bytes:
    term = certificate.term
    url = verification_url(certificate)
    pdf = FPDF(orientation="landscape", unit="mm", format="A4")
    pdf.set_title(f"Certificate: {certificate.holder_name}")
    pdf.set_author(term.program.name)
    pdf.set_auto_page_break(False)
    pdf.add_page()
    family, unicode = _font(pdf)

    def text(value: str) -> str:
        return value if unicode else _latin1(value)

    pdf.set_draw_color(40, 70, 120)
    pdf.set_line_width(1.2)
    pdf.rect(10, 10, 277, 190)
    pdf.set_font(family, size=14)
    pdf.set_y(30)
    heading = (
        "Certificate of facilitation"
        if certificate.role == CertificateRole.FACILITATOR
        else "Certificate of completion"
    )
    pdf.cell(0, 10, text(heading.upper()), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(8)
    pdf.set_font(family, size=12)
    pdf.cell(0, 8, "This certifies that", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_font(family, size=30)
    pdf.cell(0, 16, text(certificate.holder_name), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)
    pdf.set_font(family, size=12)
    did = (
        "led a discussion section of"
        if certificate.role == CertificateRole.FACILITATOR
        else "completed"
    )
    pdf.cell(0, 8, text(did), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(family, size=20)
    pdf.cell(0, 12, text(term.program.name), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(family, size=12)
    track = f", {certificate.track.name} track" if certificate.track else ""
    pdf.cell(0, 8, text(f"{term.name}{track}"), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)
    pdf.cell(
        0,
        8,
        text(f"Issued on {certificate.issued_on:%d %B %Y}"),
        align="C",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    qr = io.BytesIO()
    segno.make(url, error="m").save(qr, kind="png", scale=8, border=2)
    qr.seek(0)
    pdf.image(qr, x=237, y=150, w=40, h=40)
    pdf.set_font(family, size=8)
    pdf.set_xy(20, 182)
    pdf.cell(210, 5, text(f"Check this certificate: {url}"))
    return bytes(pdf.output())
