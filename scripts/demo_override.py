# The life of an override, for `make demo` (run with `manage.py shell -c`): saved as pending, pushed, synced back.
from decimal import Decimal

from pricebook.models import Material
from pricebook.services.overrides import save_override
from pricebook.services.push import push_overrides
from servicetitan.sync.engine import sync_targets

material = Material.objects.filter(active=True, deleted=False).order_by("st_id").first()
if material is None:
    print("  (no material mirrored: nothing to show)")
else:
    before = material.price or Decimal(0)
    wanted = before + Decimal("1.00")
    override = save_override(
        item_type="material",
        st_id=material.st_id,
        tenant_id=material.tenant_id,
        values={"price": wanted},
        queue_push=False,  # pushed just below, so each step shows
    )
    print(f"  1. saved:  {material.code} price {before:.2f} -> {wanted:.2f}; the override is {override.status}")
    result = push_overrides([override.pk])
    override.refresh_from_db()
    print(f"  2. pushed: {result.summary().rstrip('.')}; the override is {override.status}")
    sync_targets(["pricebook.materials"], full=False, triggered_by="demo")
    material.refresh_from_db()
    print(f"  3. synced: the mirror reads price {material.price:.2f} back from ServiceTitan")
    print(f"  In the admin: /admin/pricebook/material/{material.pk}/change/ (its history lists each step)")
