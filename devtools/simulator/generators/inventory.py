"""Simulated records of ServiceTitan's inventory module: adjustments, purchase orders, vendors, warehouses."""

from __future__ import annotations

from devtools.simulator.generators.common import FIRST, LAST, ModuleGenerators, active_flag, address, money
from devtools.simulator.shapes import shape_of

# Records at scale 1.0 (a mid-size tenant) and the minimum at any scale.
COUNTS: dict[str, tuple[int, int]] = {
    "inventory.adjustments": (2000, 1),
    "inventory.purchase-orders": (3000, 1),
    "inventory.vendors": (150, 2),
    "inventory.warehouses": (10, 1),
}


class InventoryGenerators(ModuleGenerators):
    def gen_adjustments(self, rng, index):
        shape = shape_of("inventory.adjustments")
        return {
            "active": active_flag(rng),
            "number": f"ADJ-{index + 1:05d}",
            "referenceNumber": f"R{index + 1:06d}",
            "type": rng.choice(("Adjustment", "Return", "Shrinkage")),
            "inventoryLocationId": self.ref(rng, "inventory.warehouses"),
            "memo": "Cycle count",
            "date": self.ds.format_us(self.ds.anchor_us - rng.randrange(365) * 86_400_000_000),
            "syncStatus": "Pending",
            "items": [
                shape.item(
                    "items",
                    id=self.ds.id_at("inventory.adjustments", index) * 10 + k,
                    skuId=self.ref(rng, "pricebook.materials"),
                    quantity=rng.randint(-5, 20),
                    cost=5,
                )
                for k in range(rng.randint(1, 3))
            ],
        }

    def gen_purchase_orders(self, rng, index):
        shape = shape_of("inventory.purchase-orders")
        total = money(100 + rng.random() * 5000)
        return {
            "number": f"PO-{index + 1:06d}",
            "status": rng.choice(("Pending", "Sent", "Received", "Received")),
            "typeId": 9_000_000 + rng.randrange(3),
            "vendorId": self.ref(rng, "inventory.vendors"),
            "shipTo": address(rng, shape.part("shipTo")),
            "vendorDocumentNumber": f"V{rng.randint(10000, 99999)}",
            "date": self.ds.format_us(self.ds.anchor_us - rng.randrange(365) * 86_400_000_000),
            "total": total,
            "tax": money(total * 0.07),
            "shipping": 0,
            "summary": "Stock replenishment",
            "inventoryLocationId": self.ref(rng, "inventory.warehouses"),
            "items": [
                shape.item(
                    "items",
                    id=self.ds.id_at("inventory.purchase-orders", index) * 10 + k,
                    skuId=self.ref(rng, "pricebook.materials"),
                    quantity=rng.randint(1, 50),
                    cost=4.5,
                )
                for k in range(rng.randint(1, 4))
            ],
        }

    def gen_vendors(self, rng, index):
        shape = shape_of("inventory.vendors")
        name = f"{rng.choice(LAST)} {rng.choice(('Supply', 'Distributors', 'HVAC Supply', 'Plumbing Wholesale'))}"
        return {
            "name": name,
            "active": active_flag(rng),
            "isTruckReplenishment": False,
            "isMobileCreationRestricted": False,
            "memo": "",
            "deliveryOption": "Delivery",
            "defaultTaxRate": 0.0825,
            "contactInfo": shape.part("contactInfo", firstName=rng.choice(FIRST), lastName=rng.choice(LAST)),
            "address": address(rng, shape.part("address")),
        }

    def gen_warehouses(self, rng, index):
        shape = shape_of("inventory.warehouses")
        return {
            "name": ("Main Warehouse", "North Depot", "South Depot")[index % 3] + ("" if index < 3 else f" {index}"),
            "active": index == 0 or active_flag(rng),
            "address": address(rng, shape.part("address")),
        }
