"""The self-scan report as a tagged PDF: the same sections, words and order as the report page
(templates/selfscan/report.html), with the radar chart drawn as vector graphics, every answer,
and absolute links to the recommended lab and knowledge items.

The writing itself (structure tags, page breaks, tables, links) is in pdf_document.py.
"""
import math

from babel.dates import format_date as babel_format_date
from flask import has_app_context
from flask_babel import format_date

from app.selfscan.charts import dutch_number
from app.selfscan.pdf_document import ENCODING, MUTED, TEXT, Document, clean
from app.selfscan.report import profile_rows
from app.urls import external_url

__all__ = ["ENCODING", "clean", "dutch_date", "report_pdf"]  # demo data uses ENCODING and clean

OWN = (13, 110, 253)  # as the chart on the page (charts.py)
PEER = (73, 80, 87)
GRID = (173, 181, 189)
RINGS = (20, 40, 60, 80, 100)


def dutch_date(value):
    """27 november 2026 (Dutch time when an app is running)."""
    if value is None:
        return ""
    if has_app_context():
        return format_date(value, "d MMMM y")
    return babel_format_date(value, "d MMMM y", locale="nl")


def _url(endpoint, **values):
    """The absolute address of a page of the site, or None outside an app (no link then)."""
    return external_url(endpoint, **values) if has_app_context() else None


def _score(score):
    return "—" if score is None else str(score)


def _score_text(score):
    return "geen score" if score is None else f"{score} van 100"


def _change_text(delta):
    if delta is None:
        return "—"
    return f"+{delta}" if delta > 0 else str(delta)  # "-3": the page's minus sign is not in the font


def _median(stats):
    return "—" if not stats or stats.get("median") is None else dutch_number(stats["median"], 1)


def report_pdf(report):
    """The Report (see report.py) as PDF bytes."""
    name = report.collective_name
    doc = Document(title=f"Rapport zelfscan: {name}", author="CollectieveKracht",
                   subject="Rapport van de zelfscan van een collectief: scores per onderwerp, "
                           "uitdagingen, vergelijking, aanbevelingen en alle antwoorden",
                   footer="CollectieveKracht - rapport zelfscan")
    _opening(doc, report)
    _profile(doc, report)
    _scores(doc, report)
    _challenges(doc, report)
    _comparison(doc, report)
    _recommendations(doc, report)
    _answers(doc, report)
    return doc.output()


def _opening(doc, report):
    name, scan = report.collective_name, report.scan
    doc.heading(f"Rapport zelfscan: {name}", 1, keep=10)
    when = f" van {dutch_date(scan.submitted_at)}" if scan.submitted_at else ""
    doc.paragraph(f"Zo staat {name} ervoor volgens de zelfscan{when}.", size=11.5)
    if scan.status != "submitted" and scan.collective is not None:
        collective = scan.collective.name
        doc.rich_paragraph([
            (f"{collective} doet mee op CollectieveKracht. ", None),
            (f"Bekijk de pagina van {collective}", _url("collectives.detail",
                                                         slug=scan.collective.slug)),
            (".", None),
        ])
    if scan.status == "completed" and report.previous is not None:
        doc.paragraph("Dit is een herhaalde zelfscan. Bij elk onderwerp zie je wat er veranderd "
                      f"is sinds de zelfscan van {dutch_date(report.previous.date)}.")


def _profile(doc, report):
    rows = profile_rows(report.scan, report.questionnaire)
    if not rows:
        return
    table = doc.plan_table([[label, value] for label, value in rows], widths=(70, 104))
    doc.heading(f"Over {report.collective_name}", 2, keep=table.start)
    doc.table(table)


def _scores(doc, report):
    intro = ("Elk onderwerp krijgt een score van 0 tot 100, berekend uit jullie antwoorden op de "
             "uitspraken. Een hoge score betekent dat het op dat punt goed gaat")
    if report.comparison:
        intro += "; de stippellijn in de grafiek is de mediaan van vergelijkbare collectieven"
    intro += "."
    caption = "De scores als grafiek. Dezelfde cijfers staan in de tabel."
    chart = _radar_height(report) + doc.paragraph_height(caption, size=9)
    doc.heading("Scores per onderwerp", 2, keep=doc.paragraph_height(intro) + chart)
    doc.paragraph(intro)
    doc.need(chart)
    _radar(doc, report)
    doc.paragraph(caption, size=9, colour=MUTED)

    header = ["Onderwerp", "Score", "Niveau"]
    widths = [62, 20, 40]
    align = ["L", "R", "L"]
    if report.previous is not None:
        header.append("Verandering")
        widths.append(26)
        align.append("R")
    if report.comparison:
        header.append("Mediaan sector")
        widths.append(26)
        align.append("R")
    widths[0] += 174 - sum(widths)
    rows = []
    for dim in report.dimensions:
        row = [dim.label, _score(dim.score), dim.level_label or "geen score"]
        if report.previous is not None:
            row.append(_change_text(report.changes.get(dim.key)))
        if report.comparison:
            row.append(_median(report.comparison.get(dim.key)))
        rows.append(row)
    doc.table(doc.plan_table(rows, widths, header=header, caption="Scores per onderwerp (0 tot 100)",
                             align=align, whole=True))

    for dim in report.dimensions:
        title = f"{dim.label}: {_score_text(dim.score)}"
        if dim.level_label:
            title += f" ({dim.level_label.lower()})"
        doc.heading(title, 3, keep=10)
        if dim.reading:
            doc.paragraph(dim.reading)
        change = report.changes.get(dim.key) if report.previous is not None else None
        if change is not None:
            doc.paragraph(f"Verandering sinds de vorige zelfscan: {_change_text(change)} punten.",
                          size=9, colour=MUTED)


def _challenges(doc, report):
    doc.heading("Jullie belangrijkste uitdagingen", 2)
    if not report.challenges:
        doc.paragraph("Jullie hebben geen uitdagingen gekozen.")
        return
    with doc.bullet_list():
        for challenge in report.challenges:
            with doc.item(doc.text_height(challenge, width=doc.pdf.epw - 5)):
                doc.body_text(challenge)


def _comparison(doc, report):
    title = "Vergeleken met vergelijkbare collectieven"
    if not report.comparison:
        text = ("Een vergelijking met andere collectieven tonen we alleen als minstens 5 "
                "collectieven uit dezelfde sector de zelfscan hebben ingevuld. Zo blijven ook hun "
                "gegevens beschermd.")
        if report.comparison_note:
            text += f" {report.comparison_note}"
        doc.heading(title, 2)
        doc.paragraph(text)
        return
    intro = ("Hoe scoren andere collectieven uit dezelfde sector? De helft van die collectieven "
             "scoort tussen het eerste en het derde kwartiel.")
    rows = []
    for dim in report.dimensions:
        peer = report.comparison.get(dim.key)
        row = [dim.label, _score(dim.score)]
        if peer:
            row += [dutch_number(peer["median"], 1), dutch_number(peer["q1"], 1),
                    dutch_number(peer["q3"], 1), str(peer["n"])]
        else:
            row.append(("te weinig gegevens", 4))
        rows.append(row)
    table = doc.plan_table(
        rows, widths=(52, 22, 22, 26, 26, 26),
        header=["Onderwerp", "Jullie score", "Mediaan", "Eerste kwartiel", "Derde kwartiel",
                "Aantal collectieven"],
        caption="Scores van collectieven uit dezelfde sector", align=["L", "R", "R", "R", "R", "R"],
        whole=True)
    doc.heading(title, 2, keep=doc.paragraph_height(intro) + table.start)
    doc.paragraph(intro)
    doc.table(table)


def _recommendations(doc, report):
    rec = report.recommendations
    if not rec:
        return
    doc.heading("Aanbevelingen", 2)
    if rec.lab_name:
        doc.heading(f"Stel je vraag in het {rec.lab_name}", 3)
        if rec.lab_reason:
            doc.paragraph(rec.lab_reason)
        if rec.lab_slug:
            doc.link(f"Stel een vraag in het {rec.lab_name}", _url("labs.ask", lab_slug=rec.lab_slug))
    if rec.note:
        doc.paragraph(rec.note, size=9.5)
    doc.heading("Uit de kennisbank", 3)
    index_url = _url("knowledge.index")
    if not rec.items:
        doc.rich_paragraph([
            ("Er staan nog geen kennisbankartikelen die precies bij jullie scores en uitdagingen "
             "passen. In ", None),
            ("de kennisbank", index_url),
            (" vind je praktijkvoorbeelden, onderzoek en instrumenten van andere collectieven; er "
             "komen regelmatig nieuwe bij.", None),
        ])
        return
    doc.paragraph("Deze praktijkvoorbeelden, inzichten en instrumenten passen bij jullie laagste "
                  "scores en de uitdagingen die jullie kozen.")
    width = doc.pdf.epw - 5
    with doc.bullet_list():
        for item in rec.items:
            about = " - ".join(part for part in (item.kind_label, item.reason) if part)
            height = (doc.text_height(item.title, width=width, style="B")
                      + (doc.text_height(about, width=width, size=9) if about else 0))
            with doc.item(height):
                doc.link(item.title, _url("knowledge.item", slug=item.slug), after=0)
                if about:
                    doc.body_text(about, size=9, colour=MUTED)
    doc.link("Meer in de kennisbank", index_url, style="")


def _answers(doc, report):
    answers = report.scan.answer_map()
    steps = [(f"{step.number}. {step.title}",
              doc.plan_table([[q.label, q.display(answers.get(q.key))] for q in step.questions],
                             widths=(102, 72)))
             for step in report.questionnaire.steps]
    first = doc.heading_height(steps[0][0], 3) + steps[0][1].start if steps else 12
    doc.heading("Alle antwoorden", 2, keep=first)
    for title, table in steps:
        doc.heading(title, 3, keep=table.start)
        doc.table(table)


# -- the radar chart ------------------------------------------------------------------------

RADIUS = 33  # mm
LABEL_SIZE = 9  # pt
LABEL_LINE = 4  # mm
LABEL_WIDTH = 42  # mm
LABEL_GAP = 3
ABOVE = BELOW = 14  # room for the labels above and below the chart
LEGEND = 12


def _wrap(pdf, text, width):
    lines, line = [], ""
    for word in text.split():
        candidate = f"{line} {word}" if line else word
        if line and pdf.get_string_width(candidate) > width:
            lines.append(line)
            line = word
        else:
            line = candidate
    return (lines + [line]) if line else (lines or [""])


def _chart_description(labels, values, peers):
    """The chart in words (its /Alt text), as the page's chart describes itself."""
    parts = []
    for label, value, peer in zip(labels, values, peers):
        text = f"{label}: {_score_text(value)}"
        if peer is not None:
            text += f" (mediaan vergelijkbare collectieven: {dutch_number(peer, 1)})"
        parts.append(text)
    return "Radardiagram van de scores per onderwerp. " + "; ".join(parts) + "."


def _radar_height(report):
    has_peers = bool(report.comparison) and any(
        (report.comparison.get(dim.key) or {}).get("median") is not None
        for dim in report.dimensions)
    return ABOVE + 2 * RADIUS + BELOW + (2 if has_peers else 1) * LEGEND * 0.6


def _radar(doc, report):
    """The page's radar chart in vector graphics: a ring per 20 points, an axis per topic, the
    collective's scores (filled) and, when known, the peers' medians (dashed)."""
    pdf = doc.pdf
    labels = [clean(dim.label) for dim in report.dimensions]
    values = [dim.score for dim in report.dimensions]
    peers = [(report.comparison or {}).get(dim.key, {}).get("median") if report.comparison else None
             for dim in report.dimensions]
    has_peers = any(peer is not None for peer in peers)
    count = len(labels)
    if count == 0:
        return
    with doc.figure(_chart_description(labels, values, peers), _radar_height(report)) as top:
        cx, cy = pdf.w / 2, top + ABOVE + RADIUS

        def point(index, value):
            angle = -math.pi / 2 + 2 * math.pi * index / count
            r = RADIUS * max(0.0, min(100.0, float(value or 0))) / 100
            return cx + r * math.cos(angle), cy + r * math.sin(angle)

        pdf.set_draw_color(*GRID)
        pdf.set_line_width(0.2)
        for ring in RINGS:
            if count >= 3:
                pdf.polygon([point(i, ring) for i in range(count)], style="D")
            else:
                pdf.circle(cx, cy, RADIUS * ring / 100, style="D")
        for i in range(count):
            pdf.line(cx, cy, *point(i, 100))
        pdf.set_font("Helvetica", "", 8)
        pdf.set_text_color(*MUTED)
        for ring in RINGS:
            pdf.text(cx + 1, cy - RADIUS * ring / 100 - 0.6, str(ring))

        if has_peers:
            pdf.set_draw_color(*PEER)
            pdf.set_line_width(0.5)
            pdf.set_dash_pattern(dash=1.6, gap=1.1)
            pdf.polygon([point(i, v) for i, v in enumerate(peers)], style="D")
            pdf.set_dash_pattern()
        own = [point(i, v) for i, v in enumerate(values)]
        pdf.set_fill_color(*OWN)
        with pdf.local_context(fill_opacity=0.2):
            pdf.polygon(own, style="F")
        pdf.set_draw_color(*OWN)
        pdf.set_line_width(0.7)
        pdf.polygon(own, style="D")
        for (x, y), value in zip(own, values):
            if value is not None:
                pdf.circle(x, y, 1.0, style="F")

        # Labels, wrapped and placed away from the chart so they never cover it.
        pdf.set_font("Helvetica", "", LABEL_SIZE)
        for i, label in enumerate(labels):
            angle = -math.pi / 2 + 2 * math.pi * i / count
            cos, sin = math.cos(angle), math.sin(angle)
            x, y = cx + (RADIUS + LABEL_GAP) * cos, cy + (RADIUS + LABEL_GAP) * sin
            lines = _wrap(pdf, label, LABEL_WIDTH)
            if values[i] is None:
                lines.append("(geen score)")
            block = LABEL_LINE * (len(lines) - 1)
            if sin < -0.3:
                first = y - block - 0.8
            elif sin > 0.3:
                first = y + 3
            else:
                first = y - block / 2 + 1.2
            for n, line in enumerate(lines):
                width = pdf.get_string_width(line)
                left = x if cos > 0.3 else (x - width if cos < -0.3 else x - width / 2)
                missing = values[i] is None and n == len(lines) - 1
                pdf.set_text_color(*(MUTED if missing else TEXT))
                pdf.text(left, first + n * LABEL_LINE, line)

        # The legend under the chart.
        legend_y = cy + RADIUS + BELOW
        legend_x = cx - 40
        pdf.set_font("Helvetica", "", LABEL_SIZE)
        pdf.set_text_color(*TEXT)
        pdf.set_draw_color(*OWN)
        pdf.set_line_width(0.9)
        pdf.line(legend_x, legend_y - 1.2, legend_x + 8, legend_y - 1.2)
        pdf.text(legend_x + 11, legend_y, "Jullie collectief")
        if has_peers:
            pdf.set_draw_color(*PEER)
            pdf.set_line_width(0.5)
            pdf.set_dash_pattern(dash=1.6, gap=1.1)
            pdf.line(legend_x, legend_y + 4.8, legend_x + 8, legend_y + 4.8)
            pdf.set_dash_pattern()
            pdf.text(legend_x + 11, legend_y + 6, "Mediaan vergelijkbare collectieven")
        pdf.set_line_width(0.2)
        pdf.set_text_color(*TEXT)
