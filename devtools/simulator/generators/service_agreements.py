"""Simulated records of ServiceTitan's service-agreements module (LAZI's memberships app): service agreements."""

from __future__ import annotations

from devtools.simulator.generators.common import COMPANY, LAST, ModuleGenerators, active_flag, money

# Records at scale 1.0 (a mid-size tenant) and the minimum at any scale.
COUNTS: dict[str, tuple[int, int]] = {
    "memberships.service-agreements": (300, 1),
}


class ServiceAgreementsGenerators(ModuleGenerators):
    def gen_service_agreements(self, rng, index):
        key = "memberships.service-agreements"
        start = self.ds.anchor_us - rng.randrange(1, 700) * 86_400_000_000
        price = money(1200 + rng.random() * 20000)
        return {
            "name": f"{rng.choice(LAST)} {rng.choice(COMPANY)} maintenance agreement",
            "customerId": self.ref(rng, "crm.customers"),
            "businessUnitId": self.ref(rng, "dispatch.business-units"),
            "status": rng.choice(self.enum(key, "status")),
            "origin": rng.choice(self.enum(key, "origin")),
            "locationIds": [self.ref(rng, "crm.locations")],
            "summary": "Quarterly preventive maintenance",
            "durationMonths": 12,
            "autoRenew": rng.random() < 0.5,
            "startDate": self.ds.format_us(start),
            "endDate": self.ds.format_us(start + 365 * 86_400_000_000),
            "totalAgreementPrice": price,
            "estimatedGrossMarginPercentage": round(20 + rng.random() * 30, 2),
            "paymentTermId": self.ref(rng, "accounting.payment-terms"),
            "active": active_flag(rng),
        }
