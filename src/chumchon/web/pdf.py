"""PDF documents rendered by WeasyPrint with the Sarabun font (OFL, from ``fontpkg_sarabun``).

WeasyPrint shapes Thai correctly through Pango and libthai. Its PDF text layer drops the
nikhahit of ำ (upstream issue 2841), so tests check the HTML handed to :func:`render_pdf` and
the PDF only through its fonts and page images (pdffonts, pdftoppm).

A receipt slip for an 80 mm roll printer has no fixed page length: :func:`render_pdf` with
``roll_width_mm`` lays the document out on a very long page, measures where the content ends and
lays it out again on a page cut just below it.
"""

from __future__ import annotations

import contextlib
import logging
import os
from functools import lru_cache
from typing import Any

import fontpkg_sarabun
from django.http import HttpResponse
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration

FONT_DIR = os.path.join(os.path.dirname(fontpkg_sarabun.__file__), "files")
_WEIGHTS = {300: "Light", 400: "Regular", 600: "SemiBold", 700: "Bold"}
PX_PER_MM = 96 / 25.4
_ROLL_PROBE_MM = 1500

# WeasyPrint reports each layout step at INFO: not worth a log line per printed receipt.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)


@lru_cache(maxsize=1)
def font_css() -> str:
    """@font-face rules for Sarabun, read from the package's TTF files (file:// URLs)."""
    rules = []
    for weight, name in _WEIGHTS.items():
        path = os.path.join(FONT_DIR, f"Sarabun-{name}.ttf")
        rules.append(
            "@font-face { font-family: 'Sarabun'; font-style: normal; "
            f"font-weight: {weight}; src: url('file://{path}'); }}"
        )
    return "\n".join(rules)


def _content_bottom(box: Any) -> float:
    """The lowest margin edge (CSS px from the page top) of the boxes in the flow under ``box``."""
    bottom = 0.0
    stack = list(getattr(box, "children", []) or [])
    while stack:
        b = stack.pop()
        style = getattr(b, "style", None)
        if style is not None and style["position"] in ("absolute", "fixed"):
            continue  # a watermark placed on the page does not make the slip longer
        y, height = getattr(b, "position_y", None), getattr(b, "margin_height", None)
        if y is not None and callable(height):
            with contextlib.suppress(TypeError, ValueError):
                bottom = max(bottom, float(y) + float(height()))
        stack.extend(getattr(b, "children", []) or [])
    return bottom


def render_pdf(
    html: str, *, base_url: str | None = None, roll_width_mm: float | None = None
) -> bytes:
    """The PDF of an HTML document (which sets its own ``@page`` size and margins)."""
    fonts = FontConfiguration()
    sheets = [CSS(string=font_css(), font_config=fonts)]
    document = HTML(string=html, base_url=base_url)
    if roll_width_mm is None:
        rendered = document.render(stylesheets=sheets, font_config=fonts)
        return bytes(rendered.write_pdf())
    probe_css = CSS(string=f"@page {{ size: {roll_width_mm}mm {_ROLL_PROBE_MM}mm; }}")
    probe = document.render(stylesheets=[*sheets, probe_css], font_config=fonts)
    height_mm = float(_ROLL_PROBE_MM)
    if len(probe.pages) == 1:
        page_box = probe.pages[0]._page_box
        bottom_px = _content_bottom(page_box) + float(getattr(page_box, "margin_bottom", 0) or 0)
        if bottom_px > 0:
            height_mm = min(float(_ROLL_PROBE_MM), bottom_px / PX_PER_MM + 2)
    final_css = CSS(string=f"@page {{ size: {roll_width_mm}mm {height_mm:.1f}mm; }}")
    rendered = document.render(stylesheets=[*sheets, final_css], font_config=fonts)
    return bytes(rendered.write_pdf())


def pdf_response(data: bytes, filename: str) -> HttpResponse:
    """The PDF shown in the browser (inline) under an ASCII file name."""
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


def run_signature_sheet(context: dict[str, Any]) -> bytes:
    """The signature sheet of a recurring benefit run (``web/runs/signature_sheet.html``, A4):
    who is paid how much, with a column for each payee's signature."""
    from django.template.loader import render_to_string

    return render_pdf(render_to_string("web/runs/signature_sheet.html", context))
