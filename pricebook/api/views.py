"""The pricebook API: the mirror, read-only by ServiceTitan id, and overrides (written through the services)."""

from __future__ import annotations

from rest_framework import status, viewsets
from rest_framework.exceptions import APIException
from rest_framework.response import Response

from pricebook.api.serializers import (
    CategorySerializer,
    EquipmentSerializer,
    MaterialSerializer,
    PricebookOverrideSerializer,
    ServiceSerializer,
)
from pricebook.filtersets import (
    CategoryFilterSet,
    EquipmentFilterSet,
    MaterialFilterSet,
    PricebookOverrideFilterSet,
    ServiceFilterSet,
)
from pricebook.models import Category, Equipment, Material, PricebookOverride, Service
from pricebook.selectors import with_effective_values, with_margins
from pricebook.services.overrides import OverrideError, discard_override
from servicetitan.api.views import MirrorViewSet


class PricebookMirrorViewSet(MirrorViewSet):
    item_type = ""

    def get_queryset(self):
        return with_effective_values(super().get_queryset(), self.item_type)


class PricebookItemViewSet(PricebookMirrorViewSet):
    """Items with ServiceTitan's margin/markup (stored, indexed: `?ordering=margin_percent`, `?margin_percent__lt=40`)
    and the effective ones for the rows of the page."""

    def get_queryset(self):
        return with_margins(MirrorViewSet.get_queryset(self), self.item_type)


class CategoryViewSet(PricebookMirrorViewSet):
    item_type = "category"
    queryset = Category.objects.all()
    serializer_class = CategorySerializer
    filterset_class = CategoryFilterSet
    search_fields = ("name", "path", "description")


class MaterialViewSet(PricebookItemViewSet):
    item_type = "material"
    queryset = Material.objects.all()
    serializer_class = MaterialSerializer
    filterset_class = MaterialFilterSet
    search_fields = ("code", "name", "description")


class ServiceViewSet(PricebookItemViewSet):
    item_type = "service"
    queryset = Service.objects.all()
    serializer_class = ServiceSerializer
    filterset_class = ServiceFilterSet
    search_fields = ("code", "name", "description")


class EquipmentViewSet(PricebookItemViewSet):
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
