"""Simulated records of ServiceTitan's sales module: estimates (with their lines)."""

from __future__ import annotations

from devtools.simulator.generators.common import SERVICE_OBJECTS, SERVICE_VERBS, ModuleGenerators, active_flag, money
from devtools.simulator.shapes import shape_of

# Records at scale 1.0 (a mid-size tenant) and the minimum at any scale.
COUNTS: dict[str, tuple[int, int]] = {
    "sales.estimates": (12000, 1),
}

ESTIMATE_STATUSES = ("Open", "Sold", "Dismissed")


class SalesGenerators(ModuleGenerators):
    def gen_estimates(self, rng, index):
        shape = shape_of("sales.estimates")
        jobs = self.ds.base_count("jobs.jobs")
        job_index = rng.randrange(jobs)
        status = rng.choice(ESTIMATE_STATUSES)
        created = self.ds.anchor_us - rng.randrange(1, 400) * 86_400_000_000
        fmt = self.ds.format_us
        items = []
        for k in range(self.ds.line_count("sales.estimates", index, rng)):
            kind, key, _prefix = rng.choice(self.INVOICE_SKUS)
            sku_index = rng.randrange(self.ds.base_count(key))
            sku_id = self.ds.id_at(key, sku_index)
            sku = self.ds.collection(key).records.get(sku_id) or {}
            quantity = rng.randint(1, 4) if kind == "Material" else 1
            rate = money((sku.get("price") or 100.0) * rng.choice((1.0, 1.0, 0.95)))
            cost = money(sku.get("cost") or 0)
            items.append(
                shape.item(
                    "items",
                    id=self.ds.id_at("sales.estimates", index) * 10 + k,
                    sku=shape.part(
                        "items[].sku",
                        id=sku_id,
                        name=sku.get("code") or "",
                        displayName=sku.get("displayName") or "",
                        type=kind,
                        soldHours=sku.get("hours") or 0,
                    ),
                    skuAccount=sku.get("account") or "",
                    description=sku.get("displayName") or "",
                    qty=quantity,
                    unitRate=rate,
                    total=money(rate * quantity),
                    unitCost=cost,
                    totalCost=money(cost * quantity),
                    itemGroupName="",
                    createdOn=fmt(created),
                    modifiedOn=fmt(created),
                    chargeable=True,
                )
            )
        subtotal = money(sum(item["total"] for item in items))
        return {
            "jobId": self.ds.id_at("jobs.jobs", job_index),
            "jobNumber": str(20000 + job_index),
            "customerId": self.ref(rng, "crm.customers"),
            "locationId": self.ref(rng, "crm.locations"),
            "name": f"Option {index % 3 + 1}: {rng.choice(SERVICE_VERBS)} {rng.choice(SERVICE_OBJECTS).lower()}",
            "status": shape.part("status", value=ESTIMATE_STATUSES.index(status), name=status),
            "reviewStatus": "None",
            "summary": "Good, better, best options as discussed.",
            "soldOn": fmt(created + rng.randrange(1, 20) * 86_400_000_000) if status == "Sold" else None,
            "soldBy": self.ref(rng, "dispatch.technicians") if status == "Sold" else None,
            "active": active_flag(rng),
            "items": items,
            "subtotal": subtotal,
            "tax": money(subtotal * 0.0825),
            "businessUnitId": self.ref(rng, "dispatch.business-units"),
            "isRecommended": rng.random() < 0.3,
            "isChangeOrder": False,
        }
