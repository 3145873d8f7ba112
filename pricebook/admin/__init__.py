"""The pricebook admin for office staff, one module per job; importing them registers every model.

`columns` (renderers), `filters`, `editing` (the override form shared by items and categories), `items` (materials,
services, equipment, categories), `vendor_costs`, `overrides` (overrides, history, price history), `markup` (the
markup table), `pricing` (rules, the Reprice page, batches), `health` (the health page), `central` (the central
pricebook).
"""

from pricebook.admin import central, columns, editing, filters, health, items, markup, overrides, pricing, vendor_costs
from pricebook.admin.health import health_view
from pricebook.admin.items import CategoryAdmin, EquipmentAdmin, MaterialAdmin, PricebookItemAdmin, ServiceAdmin

__all__ = [
    "CategoryAdmin",
    "EquipmentAdmin",
    "MaterialAdmin",
    "PricebookItemAdmin",
    "ServiceAdmin",
    "central",
    "columns",
    "editing",
    "filters",
    "health",
    "health_view",
    "items",
    "markup",
    "overrides",
    "pricing",
    "vendor_costs",
]
