"""The pricebook API: the mirror, read-only by ServiceTitan id, and overrides (written through the services)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import status, viewsets
from rest_framework.exceptions import APIException
from rest_framework.response import Response

from pricebook.api.serializers import (
    CategorySerializer,
    EquipmentSerializer,
    HealthLineSerializer,
    MaterialSerializer,
    PricebookOverrideSerializer,
    PriceHistorySerializer,
    ServiceSerializer,
)
from pricebook.filtersets import (
    CategoryFilterSet,
    EquipmentFilterSet,
    MaterialFilterSet,
    PricebookOverrideFilterSet,
    PriceHistoryFilterSet,
    ServiceFilterSet,
)
from pricebook.health import pricebook_health
from pricebook.models import Category, Equipment, Material, PricebookOverride, PriceHistory, Service
from pricebook.selectors import with_effective_values
from pricebook.services.overrides import OverrideError, discard_override
from servicetitan.api.views import MirrorViewSet


class PricebookMirrorViewSet(MirrorViewSet):
    item_type = ""

    def get_queryset(self):
        return with_effective_values(super().get_queryset(), self.item_type)


class CategoryViewSet(PricebookMirrorViewSet):
    item_type = "category"
    queryset = Category.objects.all()
    serializer_class = CategorySerializer
    filterset_class = CategoryFilterSet
    search_fields = ("name", "path", "description")


class MaterialViewSet(PricebookMirrorViewSet):
    item_type = "material"
    queryset = Material.objects.all()
    serializer_class = MaterialSerializer
    filterset_class = MaterialFilterSet
    search_fields = ("code", "name", "description")


class ServiceViewSet(PricebookMirrorViewSet):
    item_type = "service"
    queryset = Service.objects.all()
    serializer_class = ServiceSerializer
    filterset_class = ServiceFilterSet
    search_fields = ("code", "name", "description")


class EquipmentViewSet(PricebookMirrorViewSet):
    item_type = "equipment"
    queryset = Equipment.objects.all()
    serializer_class = EquipmentSerializer
    filterset_class = EquipmentFilterSet
    search_fields = ("code", "name", "description")


class OverrideBusy(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "override_busy"


class PricebookOverrideViewSet(viewsets.ModelViewSet):
    """Overrides of pricebook items. Create/update mark the override pending and queue its push to ServiceTitan;
    delete discards it (ServiceTitan's values apply again). The history is kept either way."""

    queryset = PricebookOverride.objects.select_related("changed_by")
    serializer_class = PricebookOverrideSerializer
    filterset_class = PricebookOverrideFilterSet
    search_fields = ("override_name", "override_description", "error_message")
    ordering = ("-changed_at", "-id")
    ordering_fields = ("changed_at", "status", "st_pricebook_id", "last_synced_at")

    def update(self, request, *args, **kwargs):
        partial = kwargs.pop("partial", False)
        serializer = self.get_serializer(self.get_object(), data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        override = serializer.save()
        if getattr(override, "discarded", False):
            return Response(status=status.HTTP_204_NO_CONTENT)
        return Response(self.get_serializer(override).data)

    def perform_destroy(self, instance):
        try:
            discard_override(instance, user=self.request.user)
        except OverrideError as exc:
            raise OverrideBusy(str(exc)) from exc


class PriceHistoryViewSet(MirrorViewSet):
    """ServiceTitan's values of pricebook items over time: one row per changed cost, price, member price or add-on
    price, with its source (`sync`: changed in ServiceTitan, `push`: pushed from LAZI, `import`: from a file)."""

    lookup_field = "pk"
    lookup_value_regex = r"[0-9]+"
    ordering = ("-changed_at", "-id")
    queryset = PriceHistory.objects.select_related("changed_by")
    serializer_class = PriceHistorySerializer
    filterset_class = PriceHistoryFilterSet


class PricebookHealthViewSet(viewsets.GenericViewSet):
    """The pricebook health checks: one entry per check and item type, its count and the admin list of those items."""

    # The permission to view materials is the permission to see their health.
    queryset = Material.objects.none()
    serializer_class = HealthLineSerializer
    pagination_class = None
    filter_backends = ()

    @extend_schema(responses=HealthLineSerializer(many=True))
    def list(self, request):
        lines = [line.as_dict() for line in pricebook_health()]
        for line in lines:
            line["url"] = request.build_absolute_uri(line["url"])
        return Response(HealthLineSerializer(lines, many=True).data)
