"""Simulated records of ServiceTitan's inventory module: adjustments, purchase orders, vendors, warehouses, trucks,
receipts, returns and transfers."""

from __future__ import annotations

from devtools.simulator.generators.common import FIRST, LAST, ModuleGenerators, active_flag, address, money
from devtools.simulator.shapes import shape_of

# Records at scale 1.0 (a mid-size tenant) and the minimum at any scale.
COUNTS: dict[str, tuple[int, int]] = {
    "inventory.adjustments": (2000, 1),
    "inventory.purchase-orders": (3000, 1),
    "inventory.vendors": (150, 2),
    "inventory.warehouses": (10, 1),
    "inventory.trucks": (40, 2),
    "inventory.receipts": (2500, 1),
    "inventory.returns": (400, 1),
    "inventory.transfers": (1500, 1),
}

DAY_US = 86_400_000_000

CANCELED_REASONS = ("NotRequired", "Duplicate", "Accidental", "VendorIssue", "Other")


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

    def _day(self, rng, days: int = 365) -> int:
        return self.ds.anchor_us - rng.randrange(days) * DAY_US

    def _location(self, rng) -> int:
        """An inventory location: a truck more often than a warehouse."""
        return self.ref(rng, "inventory.trucks" if rng.random() < 0.7 else "inventory.warehouses")

    def _lines(self, rng, key: str, index: int, count: int, **fields) -> list[dict]:
        shape = shape_of(key)
        lines = []
        for k in range(count):
            quantity = rng.randint(1, 12)
            cost = money(2 + rng.random() * 60)
            line = {"quantity": quantity, "cost": cost, **fields}
            if "totalCost" in fields:
                line["totalCost"] = money(quantity * cost)
            lines.append(
                shape.item(
                    "items",
                    id=self.ds.id_at(key, index) * 10 + k,
                    skuId=self.ref(rng, "pricebook.materials"),
                    name=f"Part {rng.randint(100, 999)}",
                    code=f"MAT-{rng.randint(10000, 99999)}",
                    description="Stock item",
                    **line,
                )
            )
        return lines

    def gen_trucks(self, rng, index):
        return {
            "name": f"Truck {index + 1:02d}",
            "active": index == 0 or active_flag(rng),
            "memo": "",
            "warehouseId": self.ref(rng, "inventory.warehouses"),
            "technicianIds": [self.ref(rng, "dispatch.technicians")],
            "inventoryTemplateId": None,
        }

    def gen_receipts(self, rng, index):
        shape = shape_of("inventory.receipts")
        purchase_orders = self.ds.base_count("inventory.purchase-orders")
        purchase_order = self.ds.id_at("inventory.purchase-orders", index % purchase_orders)
        amount = money(50 + rng.random() * 3000)
        return {
            "active": active_flag(rng),
            "number": f"RCV-{index + 1:06d}",
            "vendorInvoiceNumber": f"INV{rng.randint(100000, 999999)}",
            "createdById": self.ref(rng, "dispatch.employees"),
            "memo": "",
            "purchaseOrderId": purchase_order,
            "vendorId": self.ref(rng, "inventory.vendors"),
            "businessUnitId": self.ref(rng, "dispatch.business-units"),
            "technicianId": self.ref(rng, "dispatch.technicians") if rng.random() < 0.5 else None,
            "inventoryLocationId": self._location(rng),
            "shipTo": address(rng, shape.part("shipTo")),
            "shipToDescription": "Main Warehouse",
            "receiptAmount": amount,
            "taxAmount": money(amount * 0.07),
            "shippingAmount": 0,
            "receivedOn": self.ds.format_us(self._day(rng)),
            "syncStatus": rng.choice(self.enum("inventory.receipts", "syncStatus")),
            # The order's first line received (purchase order items' ids are the order's id * 10 + k).
            "items": self._lines(rng, "inventory.receipts", index, 1, purchaseOrderItemId=purchase_order * 10),
        }

    def gen_returns(self, rng, index):
        status = rng.choice(("Pending", "Returned", "CreditReceived", "CreditReceived", "Canceled"))
        day = self._day(rng)
        amount = money(20 + rng.random() * 800)
        canceled = status == "Canceled"
        return {
            "active": not canceled and active_flag(rng),
            "number": f"RET-{index + 1:05d}",
            "referenceNumber": f"RMA{rng.randint(10000, 99999)}",
            "status": status,
            "vendorId": self.ref(rng, "inventory.vendors"),
            "purchaseOrderId": self.ref(rng, "inventory.purchase-orders") if rng.random() < 0.6 else None,
            "jobId": None,
            "businessUnitId": self.ref(rng, "dispatch.business-units"),
            "inventoryLocationId": self._location(rng),
            "createdById": self.ref(rng, "dispatch.employees"),
            "memo": rng.choice(("Wrong part", "Defective", "Overstock")),
            "returnAmount": amount,
            "taxAmount": money(amount * 0.07),
            "shippingAmount": 0,
            "returnDate": self.ds.format_us(day),
            "returnedOn": self.ds.format_us(day + DAY_US) if status in ("Returned", "CreditReceived") else None,
            "creditReceivedOn": self.ds.format_us(day + 10 * DAY_US) if status == "CreditReceived" else None,
            "syncStatus": rng.choice(self.enum("inventory.returns", "syncStatus")),
            "canceledReason": rng.choice(CANCELED_REASONS) if canceled else None,
            "dateCanceled": self.ds.format_us(day + DAY_US) if canceled else None,
            "items": self._lines(rng, "inventory.returns", index, rng.randint(1, 2), active=True),
        }

    def gen_transfers(self, rng, index):
        status = rng.choice(("Pending", "Picked", "Received", "Received", "Canceled"))
        day = self._day(rng)
        canceled = status == "Canceled"
        return {
            "transferType": rng.choice(("Replenishment", "Transfer", "Job")),
            "status": status,
            "number": f"TRF-{index + 1:05d}",
            "referenceNumber": f"T{index + 1:06d}",
            "fromLocationId": self.ref(rng, "inventory.warehouses"),
            "toLocationId": self.ref(rng, "inventory.trucks"),
            "createdById": self.ref(rng, "dispatch.employees"),
            "memo": "",
            "date": self.ds.format_us(day),
            "pickedDate": self.ds.format_us(day + DAY_US // 2) if status in ("Picked", "Received") else None,
            "pickedById": self.ref(rng, "dispatch.employees") if status in ("Picked", "Received") else None,
            "receivedDate": self.ds.format_us(day + DAY_US) if status == "Received" else None,
            "receivedById": self.ref(rng, "dispatch.technicians") if status == "Received" else None,
            "syncStatus": rng.choice(self.enum("inventory.transfers", "syncStatus")),
            "canceledReason": rng.choice(CANCELED_REASONS) if canceled else None,
            "dateCanceled": self.ds.format_us(day + DAY_US) if canceled else None,
            "active": not canceled and active_flag(rng),
            "items": self._lines(
                rng, "inventory.transfers", index, rng.randint(1, 4), quantityPicked=0, totalCost=0, active=True
            ),
        }
