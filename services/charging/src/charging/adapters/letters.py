"""Renders an outcome letter: the council's template to HTML (sandboxed, every value escaped), and that
HTML to a PDF with fpdf2 (pure Python: no system libraries to install)."""

from __future__ import annotations

from typing import Any

from fpdf import FPDF
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import escape

_ENVIRONMENT = SandboxedEnvironment(autoescape=True)

# The PDF's built-in fonts are Latin-1: typographic punctuation a template may use, in plain form.
_PLAIN = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"', "–": "-", "—": "-", "…": "...", "\u00a0": " "})

_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<style>
body {{ font-family: Arial, Helvetica, sans-serif; max-width: 44em; margin: 2em auto; line-height: 1.4; }}
table {{ border-collapse: collapse; width: 100%; }}
th, td {{ border: 1px solid #888; padding: 0.25em 0.5em; text-align: left; vertical-align: top; }}
@media print {{ body {{ margin: 0; max-width: none; }} }}
</style></head>
<body>
{body}
</body></html>
"""


def letter_body(template: str, context: dict[str, Any]) -> str:
    return _ENVIRONMENT.from_string(template).render(**context)


def letter_page(body: str, title: str) -> str:
    """The body as a whole printable page."""
    return _PAGE.format(title=escape(title), body=body)


def letter_pdf(body: str, title: str) -> bytes:
    pdf = FPDF(format="A4")
    pdf.set_title(title.translate(_PLAIN))
    pdf.add_page()
    pdf.set_font("helvetica", size=11)
    plain = body.translate(_PLAIN).encode("latin-1", "replace").decode("latin-1")
    pdf.write_html(plain)
    return bytes(pdf.output())
