"""What all self-scans together show (/inzichten): members, partners and staff.

The figures and the rules that protect small groups live in services.py; this view only reads
the filters, and the template shows each figure as an SVG chart with a data table beside it.
"""
from flask import Blueprint, render_template, request

from app.insights import services
from app.selfscan.charts import bar_chart_svg, histogram_svg
from app.permissions import can_view_insights, require

bp = Blueprint("insights", __name__)


def breakdown_chart(item):
    rows = [(g.label, g.count, g.share, "other" if g.key == services.OTHER_KEY else "")
            for g in item.groups]
    return bar_chart_svg(rows, item.heading)


def distribution_chart(item):
    bins = [(b.label, b.count if b.shown else None, b.share if b.shown else None) for b in item.bins]
    return histogram_svg(bins, f"Verdeling van de scores voor {item.label}", median=item.median)


def challenges_chart(groups):
    return bar_chart_svg([(g.label, g.count, g.share, "") for g in groups],
                         "Meest genoemde uitdagingen")


@bp.route("/inzichten")
@require(can_view_insights)
def index():
    facts = services.base_set()
    selection = services.select(facts, request.args.get("sector"), request.args.get("land"))
    insights = services.compute(selection.facts)
    return render_template(
        "insights/index.html",
        insights=insights,
        selection=selection,
        min_group=services.MIN_GROUP,
        breakdown_chart=breakdown_chart,
        distribution_chart=distribution_chart,
        challenges_chart=challenges_chart,
    )
