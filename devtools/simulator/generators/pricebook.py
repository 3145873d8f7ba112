"""Simulated records of ServiceTitan's pricebook module: categories, materials, services, equipment, the markup table,
discounts and fees, rate sheets.
"""

from __future__ import annotations

from devtools.simulator.generators.common import SERVICE_OBJECTS, SERVICE_VERBS, ModuleGenerators, active_flag, money
from devtools.simulator.shapes import shape_of

# Records at scale 1.0 (a mid-size tenant) and the minimum at any scale.
COUNTS: dict[str, tuple[int, int]] = {
    "pricebook.categories": (150, 6),
    "pricebook.materials": (5000, 1),
    "pricebook.services": (1500, 1),
    "pricebook.equipment": (500, 1),
    "pricebook.markup-tiers": (4, 4),
    "sales.discounts-and-fees": (40, 2),
    "sales.rate-sheets": (15, 1),
}
# A markup table is a few tiers whatever the tenant's size.
FIXED_COUNTS = {"pricebook.markup-tiers": 4}

# ServiceTitan's material markup table as shops commonly set it (PRICING.md): cost from, to, markup %.
DEFAULT_MARKUP_TIERS = ((0, 10, 100), (10, 100, 60), (100, 1000, 40), (1000, 2147483647, 25))

# The demo's distributor: one material in DISTRIBUTOR_EVERY lists it among its `otherVendors`, with its own part number.
DISTRIBUTOR = "Ferguson Supply"
DISTRIBUTOR_EVERY = 4
DISTRIBUTOR_VENDOR_ROW = 7_700_000

MATERIAL_NOUNS = (
    "Copper Pipe",
    "PVC Elbow",
    "Ball Valve",
    "Air Filter",
    "Capacitor",
    "Contactor",
    "Thermostat Wire",
    "Refrigerant R-410A",
    "Flex Duct",
    "Breaker",
    "GFCI Outlet",
    "Wax Ring",
    "Supply Line",
    "P-Trap",
    "Drain Cleaner",
    "Fan Motor",
    "Igniter",
    "Flame Sensor",
    "Pressure Switch",
    "Condensate Pump",
)

MATERIAL_SIZES = ('1/2"', '3/4"', '1"', "10 ft", "16x25x1", "20x20x1", "45/5 MFD", "30 A", "15 A", "Std")

UNITS = ("Each", "Each", "Each", "Foot", "Box", "Pound", "Gallon")

MANUFACTURERS = ("Carrier", "Trane", "Lennox", "Rheem", "Goodman", "A. O. Smith", "Bradford White", "Honeywell")

EQUIPMENT_KINDS = ("Gas Furnace", "Heat Pump", "Air Handler", "Tank Water Heater", "Tankless Water Heater", "AC Unit")

CATEGORY_WORDS = {
    "Materials": ("Plumbing", "HVAC Parts", "Electrical", "Filters", "Fittings", "Valves", "Wire", "Refrigerants"),
    "Services": ("Plumbing Service", "Heating", "Cooling", "Electrical Service", "Drains", "Maintenance", "Indoor Air"),
}


def distributor_part(index: int) -> str:
    """The distributor's part number of the material generated at `index`."""
    return f"FER-{index + 1:05d}"


class PricebookGenerators(ModuleGenerators):
    def gen_categories(self, rng, index):
        """A tree: the first categories are roots (alternating Materials / Services), later ones nest under an
        earlier category at most two levels deep."""
        tree = self.ds.category_tree
        roots = max(4, self.ds.base_count("pricebook.categories") // 10)
        if index < roots or not tree:
            parent, kind, depth = None, ("Materials", "Services")[index % 2], 0
        else:
            candidates = self.ds.category_parents
            parent_index = candidates[rng.randrange(len(candidates))]
            parent, kind, depth = parent_index, tree[parent_index][1], tree[parent_index][2] + 1
        tree[index] = (parent, kind, depth)
        if depth < 2:
            self.ds.category_parents.append(index)
        word = rng.choice(CATEGORY_WORDS[kind])
        name = (
            word if depth == 0 else f"{word} {('Repair', 'Install', 'Parts', 'Residential', 'Commercial')[index % 5]}"
        )
        return {
            "name": f"{name} {index + 1}",
            "active": active_flag(rng) if depth else True,
            "description": f"{name} items",
            "parentId": self.ds.id_at("pricebook.categories", parent) if parent is not None else None,
            "position": index,
            "categoryType": kind,
            "businessUnitIds": [],
            "skuImages": [],
            "skuVideos": [],
            "hideInMobile": False,
        }

    def gen_materials(self, rng, index):
        code = f"MAT-{index + 1:05d}"
        name = f"{rng.choice(MATERIAL_NOUNS)} {rng.choice(MATERIAL_SIZES)}"
        assets = self._assets(rng, "pricebook.materials", code)
        fields = {
            "code": code,
            "displayName": name,
            "description": f"{name} — stocked part for residential and light commercial work.",
            "active": active_flag(rng),
            **self._prices(rng, 0.5, 400.0),
            "hours": 0,
            "bonus": 0,
            "commissionBonus": 0,
            "paysCommission": rng.random() < 0.3,
            "deductAsJobCost": False,
            "unitOfMeasure": rng.choice(UNITS),
            "isInventory": rng.random() < 0.6,
            "account": "Materials Income",
            "costOfSaleAccount": "Materials Cost",
            "assetAccount": "Inventory Asset",
            "taxable": True,
            "categories": self._category_ids(rng, "Materials"),
            "assets": assets,
            "defaultAssetUrl": assets[0]["url"] if assets else None,
            "isConfigurableMaterial": False,
            "chargeableByDefault": True,
            "createdById": self.ref(rng, "dispatch.employees"),
            "displayInAmount": False,
            "isOtherDirectCost": False,
        }
        if rng.random() < 0.4:
            vendor_id = self.ref(rng, "inventory.vendors")
            fields["primaryVendor"] = shape_of("pricebook.materials").part(
                "primaryVendor",
                id=vendor_id + 7,
                vendorName=f"Vendor {vendor_id % 1000}",
                vendorId=vendor_id,
                vendorPart=f"VP-{rng.randint(10000, 99999)}",
                cost=fields["cost"],
                active=True,
            )
        if index % DISTRIBUTOR_EVERY == 0:
            # The demo distributor carries every few materials under its own part numbers (no random draw: the rest
            # of the dataset stays as it was). Its price file: devtools/simulator/price_files.py.
            fields["otherVendors"] = [
                shape_of("pricebook.materials").item(
                    "otherVendors",
                    id=DISTRIBUTOR_VENDOR_ROW + index,
                    vendorName=DISTRIBUTOR,
                    vendorId=self.ds.id_at("inventory.vendors", 0),
                    vendorPart=distributor_part(index),
                    cost=fields["cost"],
                    active=True,
                )
            ]
        return fields

    def gen_services(self, rng, index):
        code = f"SVC-{index + 1:05d}"
        name = f"{rng.choice(SERVICE_VERBS)} {rng.choice(SERVICE_OBJECTS)}"
        shape = shape_of("pricebook.services")
        prices = self._prices(rng, 40.0, 2500.0)
        assets = self._assets(rng, "pricebook.services", code)
        categories = []
        for category_id in self._category_ids(rng, "Services"):
            category = self.ds.category(category_id)
            categories.append(
                shape.item("categories", id=category_id, name=category["name"], active=category["active"])
            )
        materials = [
            shape.item("serviceMaterials", skuId=self.ref(rng, "pricebook.materials"), quantity=rng.randint(1, 4))
            for _ in range(rng.randrange(4))
        ]
        equipment = []
        if rng.random() < 0.2:
            equipment.append(shape.item("serviceEquipment", skuId=self.ref(rng, "pricebook.equipment"), quantity=1))
        services = self.ds.base_count("pricebook.services")
        return {
            "code": code,
            "displayName": name,
            "description": f"{name}. Includes labor, haul-away and a 30-point check.",
            "warranty": shape.part("warranty", duration=rng.choice((30, 90, 365)), description="Parts and labor"),
            "categories": categories,
            **prices,
            "taxable": False,
            "account": "Service Income",
            "hours": rng.choice((0.5, 1, 1.5, 2, 3, 4, 8)),
            "isLabor": True,
            "recommendations": [self.ref(rng, "pricebook.services") for _ in range(rng.randrange(3))]
            if services > 1
            else [],
            "upgrades": [self.ref(rng, "pricebook.services")] if services > 1 and rng.random() < 0.2 else [],
            "assets": assets,
            "defaultAssetUrl": assets[0]["url"] if assets else None,
            "serviceMaterials": materials,
            "serviceEquipment": equipment,
            "active": active_flag(rng),
            "paysCommission": True,
            "bonus": 0,
            "commissionBonus": 0,
            "soldByCommission": 0,
            "useStaticPrices": True,
        }

    def gen_equipment(self, rng, index):
        code = f"EQP-{index + 1:05d}"
        maker = rng.choice(MANUFACTURERS)
        model = f"{maker[:2].upper()}{rng.randint(100, 999)}-{rng.choice(('A', 'B', 'X'))}"
        name = f"{maker} {rng.choice(EQUIPMENT_KINDS)} {model}"
        shape = shape_of("pricebook.equipment")
        assets = self._assets(rng, "pricebook.equipment", code)
        return {
            "code": code,
            "displayName": name,
            "description": f"{name}, {rng.choice((80, 92, 96))}% AFUE / {rng.choice((14, 16, 18))} SEER class.",
            "active": active_flag(rng),
            **self._prices(rng, 600.0, 9000.0),
            "manufacturer": maker,
            "model": model,
            "manufacturerWarranty": shape.part(
                "manufacturerWarranty", duration=rng.choice((1825, 3650)), description="Manufacturer parts warranty"
            ),
            "serviceProviderWarranty": shape.part("serviceProviderWarranty", duration=365, description="Labor"),
            "categories": self._category_ids(rng, "Materials"),
            "assets": assets,
            "defaultAssetUrl": assets[0]["url"] if assets else None,
            "recommendations": [
                shape.item("recommendations", skuId=self.ref(rng, "pricebook.services"), type="Service")
                for _ in range(rng.randrange(2))
            ],
            "upgrades": [],
            "equipmentMaterials": [
                shape.item("equipmentMaterials", skuId=self.ref(rng, "pricebook.materials"), quantity=1)
                for _ in range(rng.randrange(3))
            ],
            "account": "Equipment Income",
            "paysCommission": True,
            "hours": rng.choice((2, 4, 6, 8)),
            "taxable": True,
            "unitOfMeasure": "Each",
            "isInventory": True,
            "isConfigurableEquipment": False,
            "displayInAmount": False,
        }

    def gen_markup_tiers(self, rng, index):
        """The default table; tiers created through the API get their values from the request."""
        low, high, percent = DEFAULT_MARKUP_TIERS[index] if index < len(DEFAULT_MARKUP_TIERS) else (0, 0, 0)
        return {"from": low, "to": high, "percent": percent}

    def gen_discounts_and_fees(self, rng, index):
        key = "sales.discounts-and-fees"
        shape = shape_of(key)
        kinds = self.enum(key, "type")
        kind = kinds[index % len(kinds)] if kinds else None
        amount_types = self.enum(key, "amountType")
        amount_type = rng.choice(amount_types) if amount_types else None
        name = ("Senior discount", "Military discount", "Trip fee", "After-hours fee", "Member discount")[index % 5]
        return {
            "type": kind,
            "code": f"DF-{index + 1:04d}",
            "displayName": name,
            "description": f"{name} ({amount_type})",
            "amountType": amount_type,
            "amount": rng.choice((5, 10, 15, 25, 49, 89)),
            "limit": rng.choice((0, 100, 250)),
            "taxable": rng.random() < 0.2,
            "categories": [],
            "hours": 0,
            "assets": [],
            "account": "Discounts",
            "active": index < 2 or active_flag(rng),
            "bonus": 0,
            "commissionBonus": 0,
            "paysCommission": False,
            "excludeFromPayroll": rng.random() < 0.5,
            "externalData": [shape.item("externalData", key="source", value="seed")] if index % 7 == 0 else [],
        }

    def gen_rate_sheets(self, rng, index):
        key = "sales.rate-sheets"
        shape = shape_of(key)
        value_types = self.enum_at(key, "exceptions[].valueType")
        exceptions = []
        for _ in range(rng.randint(1, 6)):
            kind, sku_key, _prefix = rng.choice(self.INVOICE_SKUS)
            exceptions.append(
                shape.item(
                    "exceptions",
                    skuId=self.ref(rng, sku_key),
                    skuType=kind,
                    value=rng.choice((5, 10, 15, 0.9, 199)),
                    valueType=rng.choice(value_types),
                )
            )
        return {"exceptions": exceptions}

    def _assets(self, rng, shape_key, code) -> list[dict]:
        if rng.random() >= 0.3:
            return []
        shape = shape_of(shape_key)
        url = f"Images/Seed/{code}.png"
        return [
            shape.item("assets", alias=f"{code} photo", fileName=f"{code}.png", isDefault=True, type="Image", url=url)
        ]

    def _prices(self, rng, low, high):
        cost = money(low + rng.random() ** 2 * (high - low))
        price = money(cost * (1.35 + rng.random() * 1.4))
        member = money(price * 0.9)
        return {
            "cost": cost,
            "price": price,
            "memberPrice": member,
            "addOnPrice": money(price * 0.95),
            "addOnMemberPrice": money(member * 0.95),
        }

    def _category_ids(self, rng, kind: str) -> list[int]:
        ids = self.ds.category_ids(kind)
        return [ids[rng.randrange(len(ids))]] if ids else []
