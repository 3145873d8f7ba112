"""Read-only REST routes of the central pricebook, under /api/v1/pricebook/central/: the mapping review and the
audit of central changes (per tenant, field and outcome)."""

from __future__ import annotations

from rest_framework import serializers, viewsets

from pricebook.models import CentralChange, CentralMapping
from servicetitan.api.filtersets import IntegerFilter, LaziFilterSet
from tenants.api.scoping import api_scope


class CentralMappingSerializer(serializers.ModelSerializer):
    central = serializers.CharField(source="subscription.central.name", read_only=True)
    tenant_id = serializers.IntegerField(source="subscription.tenant.st_tenant_id", read_only=True)

    class Meta:
        model = CentralMapping
        fields = (
            "id",
            "central",
            "tenant_id",
            "item_type",
            "code",
            "status",
            "source_st_id",
            "target_st_id",
            "source_count",
            "target_count",
        )


class CentralChangeSerializer(serializers.ModelSerializer):
    decided_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    batch_status = serializers.CharField(source="batch.status", read_only=True)
    policy = serializers.CharField(source="batch.policy", read_only=True)

    class Meta:
        model = CentralChange
        fields = (
            "id",
            "batch",
            "batch_status",
            "policy",
            "tenant_id",
            "item_type",
            "code",
            "source_st_id",
            "target_st_id",
            "field",
            "target_value",
            "central_value",
            "outcome",
            "decided_by",
            "decided_at",
            "note",
            "created_at",
        )


class CentralMappingFilterSet(LaziFilterSet):
    """`tenant_id` (the target's ServiceTitan tenant id), `status`, `item_type`, `code`."""

    tenant_id = IntegerFilter(field_name="subscription__tenant__st_tenant_id")

    class Meta:
        model = CentralMapping
        fields = {"status": ["exact"], "item_type": ["exact"], "code": ["exact"]}


class CentralChangeFilterSet(LaziFilterSet):
    """`tenant_id`, `field`, `outcome`, `item_type`, `code`, `batch`."""

    class Meta:
        model = CentralChange
        fields = {
            "tenant_id": ["exact"],
            "field": ["exact"],
            "outcome": ["exact"],
            "item_type": ["exact"],
            "code": ["exact"],
            "batch": ["exact"],
        }


class CentralMappingViewSet(viewsets.ReadOnlyModelViewSet):
    """The mapping review of the central pricebook's target tenants: per code, matched, missing in the target or a
    code clash (several items with that code on one side)."""

    queryset = CentralMapping.objects.select_related("subscription__tenant", "subscription__central")
    serializer_class = CentralMappingSerializer
    filterset_class = CentralMappingFilterSet
    ordering = ("subscription_id", "item_type", "code", "id")
    ordering_fields = ("code", "status", "item_type")

    def get_queryset(self):
        # A mapping belongs to its target tenant (its rows carry no `tenant_id` of their own): that tenant's only.
        scope = api_scope(self.request)
        queryset = super().get_queryset()
        if scope.unrestricted:
            return queryset
        return queryset.filter(subscription__tenant__st_tenant_id=scope.st_tenant_id)


class CentralChangeViewSet(viewsets.ReadOnlyModelViewSet):
    """The audit of central changes: per target tenant and field, the value before and the central one, and whether
    it was proposed, applied, dismissed or re-applied, by whom and when."""

    queryset = CentralChange.objects.select_related("decided_by", "batch")
    serializer_class = CentralChangeSerializer
    filterset_class = CentralChangeFilterSet
    ordering = ("-created_at", "-id")
    ordering_fields = ("created_at", "decided_at", "code", "field", "outcome")
