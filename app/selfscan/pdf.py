"""The self-scan report as a PDF (fpdf2).

No pip package we depend on ships a Unicode TTF font, so the PDF uses the core Helvetica font in
the Windows-1252 encoding: that covers Dutch and French accents (ë, ö, é, ç …), curly quotes, dashes
and the euro sign. Text is cleaned first: control and invisible characters are removed, and a
character outside that encoding becomes its unaccented form (ł → l) or "?".
"""
import re
import types
import unicodedata

from babel.dates import format_date as babel_format_date
from flask import has_app_context
from flask_babel import format_date

from app.selfscan.scoring import level_ranges

ENCODING = "windows-1252"
_INVISIBLE = re.compile(
    r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200f\u2028\u2029\u202a-\u202e\u2060-\u2069\ufeff]"
)
# Letters that have no decomposition into a base letter plus accent.
_PLAIN = {"Ł": "L", "ł": "l", "Đ": "D", "đ": "d", "ı": "i", "Ħ": "H", "ħ": "h"}
BLUE = (13, 110, 253)
GREY = (108, 117, 125)


def clean(text):
    """Text that the core font can show: no control characters, only Windows-1252 characters."""
    text = unicodedata.normalize("NFC", "" if text is None else str(text))
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    text = _INVISIBLE.sub("", text)
    out = []
    for char in text:
        try:
            char.encode(ENCODING)
            out.append(char)
        except UnicodeEncodeError:
            base = "".join(c for c in unicodedata.normalize("NFKD", _PLAIN.get(char, char))
                           if not unicodedata.combining(c))
            try:
                base.encode(ENCODING)
                out.append(base or "?")
            except UnicodeEncodeError:
                out.append("?")
    return "".join(out)


def dutch_date(value):
    """27 november 2026 (Dutch time when an app is running)."""
    if value is None:
        return ""
    if has_app_context():
        return format_date(value, "d MMMM y")
    return babel_format_date(value, "d MMMM y", locale="nl")


def _number(value):
    if value is None:
        return "-"
    if isinstance(value, float) and not value.is_integer():
        return f"{value:.1f}".replace(".", ",")
    return str(int(value))


def _footer(pdf):
    pdf.set_y(-14)
    pdf.set_font("Helvetica", "", 8)
    pdf.set_text_color(*GREY)
    pdf.cell(0, 8, clean(f"CollectieveKracht - rapport zelfscan - pagina {pdf.page_no()} van {{nb}}"),
             align="C")
    pdf.set_text_color(0, 0, 0)


def _heading(pdf, text):
    pdf.ln(4)
    pdf.set_font("Helvetica", "B", 13)
    pdf.set_text_color(*BLUE)
    pdf.multi_cell(0, 7, clean(text), new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(0, 0, 0)
    pdf.ln(1)


def _paragraph(pdf, text, size=10, style=""):
    pdf.set_font("Helvetica", style, size)
    pdf.multi_cell(0, 5, clean(text), new_x="LMARGIN", new_y="NEXT", align="L")


def report_pdf(report):
    """The Report (see report.py) as PDF bytes."""
    # fpdf2 (with Pillow and fontTools, about 38 MB) is loaded on the first PDF, not when a web
    # worker starts (tests/unit/test_memory_imports.py).
    from fpdf import FPDF
    from fpdf.fonts import FontFace

    pdf = FPDF(format="A4")
    pdf.footer = types.MethodType(_footer, pdf)  # FPDF calls self.footer() on every page
    pdf.core_fonts_encoding = ENCODING
    pdf.set_title(clean(f"Rapport zelfscan - {report.collective_name}"))
    pdf.set_author("CollectieveKracht")
    pdf.set_creator("CollectieveKracht")
    pdf.set_margins(18, 18, 18)
    pdf.set_auto_page_break(True, margin=20)
    pdf.alias_nb_pages()
    pdf.add_page()
    headings = FontFace(emphasis="BOLD", fill_color=(233, 236, 239))

    pdf.set_font("Helvetica", "", 11)
    pdf.set_text_color(*GREY)
    pdf.cell(0, 6, "Rapport zelfscan", new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(0, 0, 0)
    pdf.set_font("Helvetica", "B", 20)
    pdf.multi_cell(0, 9, clean(report.collective_name), new_x="LMARGIN", new_y="NEXT")
    facts = []
    if report.date:
        facts.append(f"Ingevuld op {dutch_date(report.date)}")
    if report.sector_label:
        facts.append(f"Sector: {report.sector_label}")
    if report.is_belgian:
        facts.append("België")
    if facts:
        _paragraph(pdf, " - ".join(facts), size=10)
    for note in report.notes:
        pdf.ln(2)
        _paragraph(pdf, note, size=9, style="I")

    _heading(pdf, "Scores per dimensie")
    levels = ", ".join(f"{low}-{high} {label}" for low, high, _key, label in level_ranges())
    _paragraph(pdf, f"Elke score loopt van 0 tot 100. Niveaus: {levels}.", size=9)
    pdf.ln(2)
    with_change = report.previous is not None
    widths = (40, 15, 26, 18, 75) if with_change else (42, 15, 28, 89)
    pdf.set_font("Helvetica", "", 9)
    with pdf.table(col_widths=widths, headings_style=headings, line_height=4.6,
                   text_align="LEFT", padding=1.5) as table:
        row = table.row()
        columns = ["Dimensie", "Score", "Niveau"] + (["Verschil"] if with_change else []) + ["Wat dit zegt"]
        for title in columns:
            row.cell(title)
        for dim in report.dimensions:
            row = table.row()
            row.cell(clean(dim.label))
            row.cell(_number(dim.score))
            row.cell(clean(dim.level_label))
            if with_change:
                change = report.changes.get(dim.key)
                row.cell("-" if change is None else (f"{change:+d}" if change else "0"))
            row.cell(clean(dim.reading))
    if with_change and report.previous.date:
        pdf.ln(1)
        _paragraph(pdf, f"Verschil: ten opzichte van de vorige zelfscan van {dutch_date(report.previous.date)}.",
                   size=8, style="I")

    _heading(pdf, "Grootste uitdagingen")
    if report.challenges:
        for challenge in report.challenges:
            _paragraph(pdf, f"- {challenge}")
    else:
        _paragraph(pdf, "Jullie kozen geen uitdagingen uit de lijst.")

    _heading(pdf, "Vergelijking met vergelijkbare collectieven")
    if report.comparison:
        count = max(stats["n"] for stats in report.comparison.values())
        _paragraph(pdf, f"Vergeleken met {count} andere collectieven in de sector {report.sector_label}, "
                        "elk met hun laatste zelfscan. De mediaan is de middelste score; de helft van "
                        "die collectieven scoort binnen de 'middelste helft'.", size=9)
        pdf.ln(2)
        pdf.set_font("Helvetica", "", 9)
        with pdf.table(col_widths=(60, 28, 28, 58), headings_style=headings, line_height=4.6,
                       text_align="LEFT", padding=1.5) as table:
            row = table.row()
            for title in ("Dimensie", "Jullie score", "Mediaan", "Middelste helft"):
                row.cell(title)
            for dim in report.dimensions:
                stats = report.comparison.get(dim.key)
                row = table.row()
                row.cell(clean(dim.label))
                row.cell(_number(dim.score))
                row.cell(_number(stats["median"]) if stats else "-")
                row.cell(f"{_number(stats['q1'])} tot {_number(stats['q3'])}" if stats else "-")
    else:
        _paragraph(pdf, report.comparison_note or "Er is nog geen vergelijking beschikbaar.")

    _heading(pdf, "Aanbevelingen")
    recommendations = report.recommendations
    if recommendations and recommendations.lab_name:
        _paragraph(pdf, f"Stel jullie vraag eerst aan het {recommendations.lab_name}", style="B")
        _paragraph(pdf, recommendations.lab_reason)
    if recommendations and recommendations.items:
        pdf.ln(2)
        _paragraph(pdf, "Uit de kennisbank:", style="B")
        for item in recommendations.items:
            kind = getattr(item, "kind_label", "")
            _paragraph(pdf, f"- {getattr(item, 'title', item)}" + (f" ({kind})" if kind else ""))
            if getattr(item, "reason", ""):
                _paragraph(pdf, f"  {item.reason}", size=9)
    return bytes(pdf.output())
