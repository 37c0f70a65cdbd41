"""Server-rendered SVG charts for the self-scan report (no JavaScript, no inline styles).

The page's Content-Security-Policy forbids style= attributes, so every colour and line is set with
SVG presentation attributes (fill=, stroke=, …). The chart is an image for assistive technology
(role="img" with <title> and <desc>); the report shows the same figures in a table beside it.
"""
import itertools
import math

from babel.numbers import format_decimal
from markupsafe import Markup, escape

# Sizes in viewBox units. The chart is drawn at the width of its column, as narrow as about 366 px
# on a 390 px phone; the viewBox stays under 30 times the smallest font size, so no text is drawn
# smaller than 12 px there (tests/browser/test_layout.py measures it).
RADIUS = 96
RINGS = (20, 40, 60, 80, 100)  # the level boundaries lie on rings 40, 60 and 80
RING_LABELS = (20, 60, 100)  # every other ring: numbers of a readable size would touch each other
FONT_SIZE = 15
SMALL_FONT_SIZE = 14  # ring numbers and the legend
CHAR_WIDTH = 0.62 * FONT_SIZE  # a generous estimate, so labels stay inside the viewBox
LINE_CHARS = 12  # the longest word of a topic ("samenwerking") still fits one line
LABEL_GAP = 10
PADDING = 8
LEGEND_ROW = 22

COLOUR = "#0d6efd"
PEER_COLOUR = "#495057"
GRID_COLOUR = "#ced4da"
MUTED = "#565e64"  # 5.9:1 on the page background

_ids = itertools.count(1)


def _wrap(text, width=LINE_CHARS):
    lines, line = [], ""
    for word in str(text).split():
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    if line:
        lines.append(line)
    return lines or [""]


def _point(index, count, value):
    angle = -math.pi / 2 + 2 * math.pi * index / count
    r = RADIUS * max(0.0, min(100.0, float(value or 0))) / 100
    return r * math.cos(angle), r * math.sin(angle)


def _fmt(number):
    return f"{number:.1f}"


def _polygon(points):
    return " ".join(f"{_fmt(x)},{_fmt(y)}" for x, y in points)


def _score_text(value):
    return "geen score" if value is None else f"{round(value)} van 100"


def radar_svg(labels, values, peer_values=None, title="Scores per dimensie"):
    """A radar (spider) chart of 0-100 scores as an SVG Markup string.

    labels: Dutch axis labels; values: a score or None per label (None is drawn as 0 and its label
    says "geen score"); peer_values: optional peer medians per label, drawn as a dashed polygon.
    """
    labels = [str(label) for label in labels]
    values = list(values)
    count = len(labels)
    if count == 0 or len(values) != count:
        raise ValueError("radar_svg needs one value per label")
    if peer_values is not None:
        peer_values = list(peer_values)
        if len(peer_values) != count or all(v is None for v in peer_values):
            peer_values = None
    chart_id = f"radar-{next(_ids)}"
    parts = []
    bounds = [-RADIUS, -RADIUS, RADIUS, RADIUS]  # min x, min y, max x, max y

    def grow(x0, y0, x1, y1):
        bounds[0], bounds[1] = min(bounds[0], x0), min(bounds[1], y0)
        bounds[2], bounds[3] = max(bounds[2], x1), max(bounds[3], y1)

    # Rings and axes.
    for ring in RINGS:
        ring_points = [_point(i, count, ring) for i in range(count)]
        if count >= 3:
            parts.append(f'<polygon points="{_polygon(ring_points)}" fill="none" stroke="{GRID_COLOUR}" '
                         f'stroke-width="1"/>')
        else:
            parts.append(f'<circle cx="0" cy="0" r="{_fmt(RADIUS * ring / 100)}" fill="none" '
                         f'stroke="{GRID_COLOUR}" stroke-width="1"/>')
        if ring in RING_LABELS:
            parts.append(f'<text x="4" y="{_fmt(-RADIUS * ring / 100 - 2)}" font-size="{SMALL_FONT_SIZE}" '
                         f'fill="{MUTED}" font-family="sans-serif">{ring}</text>')
    for i in range(count):
        x, y = _point(i, count, 100)
        parts.append(f'<line x1="0" y1="0" x2="{_fmt(x)}" y2="{_fmt(y)}" stroke="{GRID_COLOUR}" '
                     f'stroke-width="1"/>')

    # The peer medians (dashed), then the collective's own polygon with a dot per score.
    if peer_values is not None:
        peer_points = [_point(i, count, v) for i, v in enumerate(peer_values)]
        parts.append(f'<polygon points="{_polygon(peer_points)}" fill="none" stroke="{PEER_COLOUR}" '
                     f'stroke-width="2" stroke-dasharray="6 4"/>')
    own_points = [_point(i, count, v) for i, v in enumerate(values)]
    parts.append(f'<polygon points="{_polygon(own_points)}" fill="{COLOUR}" fill-opacity="0.2" '
                 f'stroke="{COLOUR}" stroke-width="2.5" stroke-linejoin="round"/>')
    for (x, y), value in zip(own_points, values):
        if value is not None:
            parts.append(f'<circle cx="{_fmt(x)}" cy="{_fmt(y)}" r="4" fill="{COLOUR}"/>')

    # Axis labels, wrapped and anchored away from the chart so they never cover it.
    line_height = FONT_SIZE * 1.2
    for i, label in enumerate(labels):
        angle = -math.pi / 2 + 2 * math.pi * i / count
        cos, sin = math.cos(angle), math.sin(angle)
        x, y = (RADIUS + LABEL_GAP) * cos, (RADIUS + LABEL_GAP) * sin
        lines = _wrap(label)
        missing = values[i] is None
        if missing:
            lines.append("(geen score)")
        if cos > 0.3:
            anchor = "start"
        elif cos < -0.3:
            anchor = "end"
        else:
            anchor = "middle"
        block = line_height * (len(lines) - 1)
        if sin < -0.3:
            # Above the chart: the block ends a line above the axis end, clear of the ring number
            # "100" beside the top axis.
            first = y - block - (SMALL_FONT_SIZE if abs(cos) < 0.3 else 0)
        elif sin > 0.3:
            first = y + FONT_SIZE * 0.8  # below: the block starts there
        else:
            first = y - block / 2 + FONT_SIZE * 0.35
        width = max(len(line) for line in lines) * CHAR_WIDTH
        x0 = {"start": x, "end": x - width, "middle": x - width / 2}[anchor]
        grow(x0, first - FONT_SIZE, x0 + width, first + block + FONT_SIZE * 0.3)
        spans = []
        for n, line in enumerate(lines):
            extra = f' fill="{MUTED}"' if missing and n == len(lines) - 1 else ""
            spans.append(f'<tspan x="{_fmt(x)}" y="{_fmt(first + n * line_height)}"{extra}>'
                         f'{escape(line)}</tspan>')
        parts.append(f'<text text-anchor="{anchor}" font-size="{FONT_SIZE}" font-family="sans-serif" '
                     f'fill="#212529">{"".join(spans)}</text>')

    # Legend under the chart.
    legend_y = bounds[3] + LEGEND_ROW
    legend = [("Jullie collectief", f'stroke="{COLOUR}" stroke-width="3"')]
    if peer_values is not None:
        legend.append(("Mediaan vergelijkbare collectieven",
                       f'stroke="{PEER_COLOUR}" stroke-width="2" stroke-dasharray="6 4"'))
    legend_x = bounds[0]  # from the left edge: the longest legend line needs the whole width
    for n, (text, stroke) in enumerate(legend):
        y = legend_y + n * LEGEND_ROW
        parts.append(f'<line x1="{_fmt(legend_x)}" y1="{_fmt(y - 4)}" x2="{_fmt(legend_x + 24)}" '
                     f'y2="{_fmt(y - 4)}" {stroke}/>')
        parts.append(f'<text x="{_fmt(legend_x + 32)}" y="{_fmt(y)}" font-size="{SMALL_FONT_SIZE}" '
                     f'font-family="sans-serif" fill="#212529">{escape(text)}</text>')
        grow(legend_x, y - SMALL_FONT_SIZE - 2, legend_x + 32 + len(text) * 0.62 * SMALL_FONT_SIZE, y + 4)

    min_x, min_y = bounds[0] - PADDING, bounds[1] - PADDING
    width, height = bounds[2] - bounds[0] + 2 * PADDING, bounds[3] - bounds[1] + 2 * PADDING

    description = "; ".join(
        f"{label}: {_score_text(value)}"
        + ("" if peer_values is None or peer_values[i] is None
           else f" (mediaan vergelijkbare collectieven: {_fmt(peer_values[i]).replace('.', ',')})")
        for i, (label, value) in enumerate(zip(labels, values))
    )
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="{_fmt(min_x)} {_fmt(min_y)} '
        f'{_fmt(width)} {_fmt(height)}" width="100%" role="img" class="radar-chart" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc">'
        f'<title id="{chart_id}-title">{escape(title)}</title>'
        f'<desc id="{chart_id}-desc">{escape(description)}.</desc>'
        + "".join(parts)
        + "</svg>"
    )
    return Markup(svg)


# -- bar charts for the insights (/inzichten) ----------------------------------------------------
# These use CSS classes (app/static/css/insights.css) for every colour, so a page can restyle them;
# sizes and positions are SVG attributes. Text sizes suit viewBoxes 320-360 units wide, shown at
# about 360-420 px (insights.css caps the width), so labels stay readable on a phone.

BAR_WIDTH = 360
BAR_LABEL_SIZE = 15
BAR_HEIGHT = 18
BAR_ROW = 48  # label line + bar + gap
VALUE_ROOM = 112  # room right of the longest bar for "1.234 (41,7%)"


def dutch_number(value, digits=None):
    """1234.5 → "1.234,5" (as the `getal` template filter, usable without a request)."""
    if digits is None:
        return format_decimal(value, locale="nl_NL")
    pattern = "#,##0." + "0" * digits if digits else "#,##0"
    return format_decimal(value, format=pattern, locale="nl_NL")


def _svg(chart_id, width, height, title, description, parts, css_class):
    return Markup(
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_fmt(width)} {_fmt(height)}" '
        f'width="100%" role="img" class="{css_class}" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc">'
        f'<title id="{chart_id}-title">{escape(title)}</title>'
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>'
        + "".join(parts)
        + "</svg>"
    )


def bar_chart_svg(rows, title):
    """A horizontal bar chart: rows = [(label, count, share percentage, css modifier or "")].

    Each row has its label on a line of its own above the bar (long Dutch labels never squeeze the
    bars on a narrow screen) and "count (share%)" right of the bar.
    """
    rows = list(rows)
    chart_id = f"bars-{next(_ids)}"
    most = max((count for _label, count, _share, _mod in rows), default=0) or 1
    room = BAR_WIDTH - VALUE_ROOM
    parts = []
    y = 0
    for label, count, share, modifier in rows:
        text_y = y + BAR_LABEL_SIZE
        bar_y = text_y + 6
        length = max(2.0, room * count / most)
        extra = f" chart-bar--{modifier}" if modifier else ""
        parts.append(f'<text x="0" y="{_fmt(text_y)}" class="chart-label" '
                     f'font-size="{BAR_LABEL_SIZE}">{escape(label)}</text>')
        parts.append(f'<rect x="0" y="{_fmt(bar_y)}" width="{_fmt(length)}" height="{BAR_HEIGHT}" '
                     f'class="chart-bar{extra}"/>')
        parts.append(f'<text x="{_fmt(length + 6)}" y="{_fmt(bar_y + BAR_HEIGHT - 4)}" '
                     f'class="chart-value" font-size="{BAR_LABEL_SIZE - 1}">'
                     f'{dutch_number(count)} ({dutch_number(share, 1)}%)</text>')
        y += BAR_ROW
    height = max(y - (BAR_ROW - BAR_LABEL_SIZE - 6 - BAR_HEIGHT) + 4, 20)
    description = "; ".join(f"{label}: {dutch_number(count)} collectieven ({dutch_number(share, 1)}%)"
                            for label, count, share, _mod in rows) + "."
    return _svg(chart_id, BAR_WIDTH, height, title, description, parts, "insights-chart chart-bars")


HIST_LEFT = 8
HIST_TOP = 50  # room above the columns for the median label and the tallest count
HIST_PLOT = 160  # plot height
HIST_WIDTH = 320


def histogram_svg(bins, title, median=None, hidden_text="niet getoond"):
    """Score bins as columns: bins = [(label, count or None when hidden, share or None)].

    A hidden bin (None: fewer than 5, or hidden so that such a bin cannot be derived) is not
    drawn: its slot reads "–". `median` (0-100) adds a dashed line.
    The bins are taken to cover 0-100 in order (0-19, 20-39, 40-59, 60-79, 80-100).
    """
    bins = list(bins)
    if not bins:
        raise ValueError("histogram_svg needs bins")
    chart_id = f"hist-{next(_ids)}"
    slot = (HIST_WIDTH - 2 * HIST_LEFT) / len(bins)
    base_y = HIST_TOP + HIST_PLOT
    most = max((count for _label, count, _share in bins if count), default=0) or 1
    parts = [f'<line x1="{HIST_LEFT}" y1="{_fmt(base_y)}" x2="{_fmt(HIST_WIDTH - HIST_LEFT)}" '
             f'y2="{_fmt(base_y)}" class="chart-axis"/>']
    texts = []  # drawn last, so the median line never covers a number
    for index, (label, count, share) in enumerate(bins):
        x0 = HIST_LEFT + index * slot
        centre = x0 + slot / 2
        if count is None:
            texts.append(f'<text x="{_fmt(centre)}" y="{_fmt(base_y - 8)}" text-anchor="middle" '
                         f'class="chart-muted chart-halo" font-size="14">–</text>')
        else:
            height = HIST_PLOT * count / most
            if count:
                parts.append(f'<rect x="{_fmt(x0 + 3)}" y="{_fmt(base_y - height)}" '
                             f'width="{_fmt(slot - 6)}" height="{_fmt(height)}" class="chart-bar"/>')
            texts.append(f'<text x="{_fmt(centre)}" y="{_fmt(base_y - height - 6)}" '
                         f'text-anchor="middle" class="chart-value chart-halo" font-size="15">'
                         f'{dutch_number(count)}</text>')
        texts.append(f'<text x="{_fmt(centre)}" y="{_fmt(base_y + 20)}" text-anchor="middle" '
                     f'class="chart-label" font-size="15">{escape(label)}</text>')
    if median is not None:
        # Position on a continuous 0-100 scale: bin i covers [20i, 20i + 20), the last up to 100.
        index = min(int(median // 20), len(bins) - 1)
        width = 21 if index == len(bins) - 1 else 20
        x = HIST_LEFT + index * slot + slot * (median - 20 * index) / width
        parts.append(f'<line x1="{_fmt(x)}" y1="18" x2="{_fmt(x)}" y2="{_fmt(base_y)}" '
                     f'class="chart-median"/>')
        anchor = "end" if x > HIST_WIDTH * 0.7 else "start"
        shift = -4 if anchor == "end" else 4
        texts.append(f'<text x="{_fmt(x + shift)}" y="14" text-anchor="{anchor}" '
                     f'class="chart-median-label" font-size="14">mediaan {dutch_number(median)}</text>')
    parts.extend(texts)
    height = base_y + 30
    description = "; ".join(
        f"score {label}: " + (hidden_text if count is None else f"{dutch_number(count)} collectieven")
        for label, count, _share in bins
    )
    if median is not None:
        description += f"; mediaan {dutch_number(median)}"
    return _svg(chart_id, HIST_WIDTH, height, title, description + ".", parts,
                "insights-chart chart-histogram")
