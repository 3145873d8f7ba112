"""Simulated records of ServiceTitan's accounting module: invoices (with their lines), payments, payment types and
terms, tax zones.
"""

from __future__ import annotations

from devtools.simulator.generators.common import CITIES, ModuleGenerators, active_flag, money
from devtools.simulator.shapes import shape_of

# Records at scale 1.0 (a mid-size tenant) and the minimum at any scale.
COUNTS: dict[str, tuple[int, int]] = {
    "accounting.invoices": (28000, 1),
    "accounting.payments": (25000, 1),
    "accounting.payment-types": (8, 2),
    "accounting.payment-terms": (5, 2),
    "accounting.tax-zones": (6, 2),
}

PAYMENT_TYPES = ("Cash", "Check", "Credit Card", "ACH", "Financing", "Gift Card")


class AccountingGenerators(ModuleGenerators):
    def gen_invoices(self, rng, index):
        shape = shape_of("accounting.invoices")
        customer_id = self.ref(rng, "crm.customers")
        stamp = self.ds.format_us(self.ds.anchor_us - 86_400_000_000)
        items = [
            self._invoice_item(rng, shape, self.ds.id_at("accounting.invoices", index) * 10 + order, order, stamp)
            for order in range(self.ds.line_count("accounting.invoices", index, rng))
        ]
        sub_total = money(sum(float(item["total"]) for item in items))
        tax = money(sub_total * 0.0825)
        total = money(sub_total + tax)
        paid = rng.random() < 0.8
        invoice_day = self.ds.anchor_us - rng.randrange(1, 400) * 86_400_000_000
        return {
            "syncStatus": "Pending",
            "referenceNumber": str(100000 + index),
            "invoiceDate": self.ds.format_us(invoice_day),
            "subTotal": f"{sub_total:.2f}",
            "salesTax": f"{tax:.2f}",
            "total": f"{total:.2f}",
            "balance": "0.00" if paid else f"{total:.2f}",
            "customer": shape.part("customer", id=customer_id, name=f"Customer {customer_id % 100000}"),
            "businessUnit": shape.part("businessUnit", id=self.ref(rng, "dispatch.business-units"), name="HVAC"),
            "job": shape.part(
                "job",
                id=self.ds.id_at("jobs.jobs", index % self.ds.base_count("jobs.jobs")),
                number=str(20000 + index % self.ds.base_count("jobs.jobs")),
                type="Service",
            ),
            "sentStatus": rng.choice(("NotSent", "Sent", "Opened")),
            "reviewStatus": rng.choice(("NeedsReview", "Reviewed", "Invoiced")),
            "invoiceConfiguration": "JobInvoice",
            "summary": "Thank you for your business.",
            "items": items,
            "active": active_flag(rng),
        }

    def gen_payments(self, rng, index):
        shape = shape_of("accounting.payments")
        amount = money(20 + rng.random() * 2500)
        customer_id = self.ref(rng, "crm.customers")
        invoice_id = self.ds.id_at("accounting.invoices", index % self.ds.base_count("accounting.invoices"))
        return {
            "active": active_flag(rng),
            "appliedTo": [
                shape.item(
                    "appliedTo",
                    appliedAmount=f"{amount:.2f}",
                    appliedId=invoice_id + 3,
                    appliedTo=invoice_id,
                    appliedToReferenceNumber=str(100000 + index),
                )
            ],
            "customer": shape.part("customer", id=customer_id, name=f"Customer {customer_id % 100000}"),
            "referenceNumber": f"PMT-{index + 1:06d}",
            "total": f"{amount:.2f}",
            "type": rng.choice(("Credit Card", "Check", "Cash", "ACH")),
            "unappliedAmount": "0.00",
            "memo": None,
            "syncStatus": "Pending",
        }

    def gen_payment_types(self, rng, index):
        base = PAYMENT_TYPES[index % len(PAYMENT_TYPES)]
        return {"name": base if index < len(PAYMENT_TYPES) else f"{base} {index}"}

    def gen_payment_terms(self, rng, index):
        shape = shape_of("accounting.payment-terms")
        days = (0, 15, 30, 45, 60, 90)[index % 6]
        return {
            "name": "Due on receipt" if days == 0 else f"Net {days}",
            "dueDayType": "NumberOfDays",
            "dueDay": days,
            "isCustomerDefault": index == 0,
            "isVendorDefault": index == 1,
            "active": index < 2 or active_flag(rng),
            "inUse": rng.random() < 0.7,
            "paymentTermDiscountModel": shape.part("paymentTermDiscountModel"),
            "interestSettings": shape.part("interestSettings"),
        }

    def gen_tax_zones(self, rng, index):
        city, state, _zip = CITIES[index % len(CITIES)]
        shape = shape_of("accounting.tax-zones")
        rate = round(0.05 + rng.random() * 0.04, 4)
        return {
            "name": f"{city}, {state}",
            "color": rng.randrange(0xFFFFFF),
            "isTaxRateSeparated": False,
            "isMultipleTaxZone": False,
            "rates": [shape.item("rates", id=index + 1, taxName=f"{state} sales tax", taxRate=rate)],
            "active": index < 2 or active_flag(rng),
        }

    def _invoice_item(self, rng, shape, item_id: int, order: int, stamp: str) -> dict:
        kind, key, prefix = rng.choice(self.INVOICE_SKUS)
        sku_index = rng.randrange(self.ds.base_count(key))
        sku = self.ds.collection(key).records.get(self.ds.id_at(key, sku_index)) or {}
        list_price = sku.get("price") or 100.0
        # Realised prices scatter around the list price (discounts, member prices, the odd markup).
        price = money(list_price * rng.choice((1.0, 1.0, 1.0, 0.9, 0.95, 1.05)))
        quantity = rng.randint(1, 6) if kind == "Material" else 1
        cost = money(sku.get("cost") or 0)
        return shape.item(
            "items",
            id=item_id,
            description=sku.get("displayName") or sku.get("description") or "Service performed",
            quantity=f"{quantity}",
            cost=f"{cost:.2f}",
            totalCost=f"{cost * quantity:.2f}",
            price=f"{price:.2f}",
            total=f"{price * quantity:.2f}",
            type=kind,
            skuName=sku.get("code") or f"{prefix}-{sku_index + 1:05d}",
            skuId=self.ds.id_at(key, sku_index),
            displayName=sku.get("displayName"),
            taxable=kind != "Service",
            isChargeable=True,
            createdOn=stamp,
            modifiedOn=stamp,
            order=order,
        )
