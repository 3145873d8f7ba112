"""A service's rolled-up cost: its linked materials and equipment (quantity x their cost), stored on the service.

The sync's relation step calls `refresh_service_costs` after a page of services (their links were just replaced) or of
materials/equipment (their costs may have moved), and after each pricebook run (links resolved late). One UPDATE per
call, whatever the number of services: the service list then sorts and filters its margin by an indexed column.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import DecimalField, F, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from pricebook.models import Service, ServiceEquipment, ServiceMaterial
from servicetitan.sync.bulk import AnyOf  # noqa: F401  (registers the `any_of` lookup used below)

_COST = DecimalField(max_digits=18, decimal_places=4)


def _linked_cost(link_model, target: str):
    """Σ quantity x cost of the service's linked (mirrored, not deleted) items, 0 without any."""
    total = (
        link_model.objects.filter(service=OuterRef("pk"), **{f"{target}__deleted": False})
        .order_by()
        .values("service")
        .annotate(total=Sum(F("quantity") * F(f"{target}__cost"), output_field=_COST))
        .values("total")
    )
    return Coalesce(Subquery(total, output_field=_COST), Value(0), output_field=_COST)


def refresh_service_costs(
    tenant_id: int,
    *,
    service_pks: Iterable[int] | None = None,
    material_st_ids: Iterable[int] | None = None,
    equipment_st_ids: Iterable[int] | None = None,
) -> int:
    """Recompute `materials_cost` and `equipment_cost` of the tenant's services (all of them, or those given or linked
    to the given materials/equipment). Returns how many services were updated."""
    services = Service.objects.filter(tenant_id=tenant_id)
    if service_pks is not None or material_st_ids is not None or equipment_st_ids is not None:
        # `any_of`: one array parameter on PostgreSQL (a page names thousands of items).
        wanted = Q(pk__any_of=list(service_pks or ()))
        if material_st_ids is not None:
            linked = ServiceMaterial.objects.filter(tenant_id=tenant_id, target_st_id__any_of=list(material_st_ids))
            wanted |= Q(pk__in=linked.values("service_id"))
        if equipment_st_ids is not None:
            linked = ServiceEquipment.objects.filter(tenant_id=tenant_id, target_st_id__any_of=list(equipment_st_ids))
            wanted |= Q(pk__in=linked.values("service_id"))
        services = services.filter(wanted)
    return services.update(
        materials_cost=_linked_cost(ServiceMaterial, "material"),
        equipment_cost=_linked_cost(ServiceEquipment, "equipment"),
    )
