"""Small renderers the pricebook admin's lists and pages share (badges, thumbnails, money, percent)."""

from __future__ import annotations

from decimal import Decimal

from django.urls import reverse
from django.utils.html import format_html
from django.utils.http import urlencode

from pricebook.models import (
    PricebookOverride,
)

Status = PricebookOverride.Status


# --- Small renderers ------------------------------------------------------------------------------------------------
def status_badge(status: str | None, drifted: bool = False):
    if not status:
        return format_html('<span class="pb-none" title="{}">—</span>', "No override: ServiceTitan's values")
    if status == Status.SYNCED and drifted:
        # Pushed once, but ServiceTitan's value moved since: saying "synced" here would be wrong.
        return format_html(
            '<span class="pb-badge pb-drifted" title="{}">changed in ServiceTitan</span>',
            "Pushed from LAZI, then changed in ServiceTitan: ServiceTitan's value is not this override's any more.",
        )
    return format_html('<span class="pb-badge pb-{}">{}</span>', status, Status(status).label)


def servicetitan_image_url(st_path: str) -> str:
    return f"{reverse('pricebook:servicetitan-image')}?{urlencode({'path': st_path})}"


def override_image_url(override_id: int) -> str:
    return reverse("pricebook:override-image", args=[override_id])


def default_image_path(item) -> str:
    if getattr(item, "default_image_url", ""):
        return item.default_image_url
    if getattr(item, "image_url", ""):
        return item.image_url
    assets = [a for a in getattr(item, "images", None) or [] if isinstance(a, dict) and a.get("type") == "Image"]
    chosen = next((a for a in assets if a.get("isDefault")), assets[0] if assets else None)
    return (chosen or {}).get("url") or ""


def thumbnail_html(url: str, alt: str = "", size: int = 40):
    if not url:
        return format_html('<span class="pb-thumb pb-thumb-empty" title="{}">—</span>', "no image")
    return format_html(
        '<img class="pb-thumb" src="{}" alt="{}" loading="lazy" width="{}" height="{}">', url, alt, size, size
    )


def money(value) -> str:
    if value is None or value == "":
        return "—"
    return f"{Decimal(value):,.2f}"


def percent(value) -> str:
    if value is None or value == "":
        return "—"
    return f"{Decimal(value):,.1f}%"


def units(value) -> str:
    """A quantity as staff count it: no trailing zeros (12, 2.5)."""
    if value is None:
        return "—"
    return f"{Decimal(value).normalize():,f}"


def sales_rows(item, item_type: str) -> list[dict]:
    """The item page's "how it sells" table: one row per window (30, 90, 365 days), read in one query."""
    from sales.selectors import item_sales_windows

    rows = []
    for window in item_sales_windows(item, item_type):
        figures, ratios = window.figures, window.ratios
        rows.append(
            {
                "days": window.days,
                "units": units(figures["units_sold"]),
                "revenue": money(figures["revenue"]),
                "average_price": money(ratios.average_price),
                "price_vs_list": signed_percent(ratios.price_vs_list_percent),
                "realised_margin": percent(ratios.realised_margin_percent),
                "list_margin": percent(ratios.list_margin_percent),
                "estimates": figures["estimate_appearances"],
                "estimates_sold": figures["estimates_sold"],
                "sold_rate": percent(ratios.estimate_sold_rate_percent),
            }
        )
    return rows


def signed_percent(value) -> str:
    if value is None:
        return "—"
    return f"{Decimal(value):+,.1f}%"
