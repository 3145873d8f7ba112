"""A small price/cost chart of an item's history, drawn server-side as inline SVG (no script, no CDN)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

WIDTH, HEIGHT, PAD = 520, 170, 34
SERIES = (("price", "#1565c0", "price"), ("cost", "#c62828", "cost"), ("member_price", "#2e7d32", "member price"))


def _series(entries, field: str, current: Decimal, start: datetime, end: datetime) -> list[tuple[datetime, float]]:
    mine = [e for e in entries if e.field == field]
    if not mine:
        return [(start, float(current)), (end, float(current))]
    points = [(mine[0].changed_at, float(mine[0].old_value or 0))]
    points += [(e.changed_at, float(e.new_value or 0)) for e in mine]
    points.append((end, float(current)))
    if start < mine[0].changed_at:
        points.insert(0, (start, points[0][1]))
    return points


def price_chart_svg(entries, item, *, now: datetime | None = None) -> SafeString:
    """Step lines of the item's price, cost and member price over the time its history covers; "" without history."""
    entries = sorted(entries, key=lambda e: (e.changed_at, e.pk or 0))
    if not entries:
        return mark_safe("")
    end = now or timezone.now()
    start = entries[0].changed_at
    lines = [
        (label, colour, _series(entries, field, getattr(item, field) or Decimal(0), start, end))
        for field, colour, label in SERIES
        if any(e.field == field for e in entries) or field != "member_price"
    ]
    values = [value for _, _, points in lines for _, value in points]
    low, high = min(values), max(values)
    if high == low:
        low, high = low - 1, high + 1
    span = max((end - start).total_seconds(), 1.0)

    def x(moment: datetime) -> float:
        return PAD + (moment - start).total_seconds() / span * (WIDTH - 2 * PAD)

    def y(value: float) -> float:
        return HEIGHT - PAD + (low - value) / (high - low) * (HEIGHT - 2 * PAD)

    paths = []
    for label, colour, points in lines:
        steps, previous = [], None
        for moment, value in points:
            if previous is not None:
                steps.append(f"{x(moment):.1f},{y(previous):.1f}")
            steps.append(f"{x(moment):.1f},{y(value):.1f}")
            previous = value
        paths.append((colour, " ".join(steps), label))
    polylines = format_html_join(
        "",
        '<polyline fill="none" stroke="{}" stroke-width="2" points="{}"><title>{}</title></polyline>',
        paths,
    )
    legend = format_html_join(
        "",
        '<text x="{}" y="14" fill="{}" font-size="11">{}</text>',
        ((PAD + i * 110, colour, label) for i, (colour, _, label) in enumerate(paths)),
    )
    return format_html(
        '<svg class="pb-chart" role="img" aria-label="price and cost over time" width="{w}" height="{h}" '
        'viewBox="0 0 {w} {h}" xmlns="http://www.w3.org/2000/svg">'
        '<rect x="{p}" y="{p}" width="{iw}" height="{ih}" fill="none" stroke="#ddd"/>'
        '<text x="2" y="{ty}" font-size="10" fill="#666">{top}</text>'
        '<text x="2" y="{by}" font-size="10" fill="#666">{bottom}</text>'
        '<text x="{p}" y="{dy}" font-size="10" fill="#666">{first}</text>'
        '<text x="{rx}" y="{dy}" font-size="10" fill="#666" text-anchor="end">{last}</text>'
        "{legend}{lines}</svg>",
        w=WIDTH,
        h=HEIGHT,
        p=PAD,
        iw=WIDTH - 2 * PAD,
        ih=HEIGHT - 2 * PAD,
        ty=PAD + 4,
        by=HEIGHT - PAD,
        top=f"{high:.2f}",
        bottom=f"{low:.2f}",
        dy=HEIGHT - PAD + 16,
        rx=WIDTH - PAD,
        first=timezone.localtime(start).strftime("%Y-%m-%d"),
        last=timezone.localtime(end).strftime("%Y-%m-%d"),
        legend=legend,
        lines=polylines,
    )
