"""The pricebook API: the mirror, read-only by ServiceTitan id, and overrides (written through the services)."""

from __future__ import annotations

from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import APIException, PermissionDenied, ValidationError
from rest_framework.response import Response

from pricebook.api.serializers import (
    ApproveRequestSerializer,
    CategorySerializer,
    EquipmentSerializer,
    HealthLineSerializer,
    MaterialSerializer,
    PricebookOverrideSerializer,
    PriceHistorySerializer,
    PricingRuleSerializer,
    RepriceBatchDetailSerializer,
    RepriceBatchSerializer,
    RepriceRequestSerializer,
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
from pricebook.models import (
    Category,
    Equipment,
    Material,
    PricebookOverride,
    PriceHistory,
    PricingRule,
    RepriceBatch,
    Service,
)
from pricebook.selectors import with_effective_values
from pricebook.services import reprice
from pricebook.services.overrides import OverrideError, discard_override
from servicetitan.api.permissions import ModelChangePermission
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


# --- Pricing rules and reprices ------------------------------------------------------------------------------------
class PricingRuleViewSet(viewsets.ModelViewSet):
    """LAZI's pricing rules: per item type and category subtree (the most specific wins; no category: the default)."""

    queryset = PricingRule.objects.all()
    serializer_class = PricingRuleSerializer
    filterset_fields = ("item_type", "category_st_id")
    ordering = ("item_type", "category_st_id", "name")
    ordering_fields = ("name", "item_type", "updated_at")
    search_fields = ("name",)


class RepriceBatchFilterSet(filters.FilterSet):
    class Meta:
        model = RepriceBatch
        fields = ("status",)


class RepriceBatchViewSet(
    mixins.CreateModelMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Reprices. POST computes one from the pricing rules and answers the proposed batch with its rows; approvers
    approve it (`rows`: "all", "unflagged" or row ids), which queues the push; a proposal can be discarded."""

    queryset = RepriceBatch.objects.select_related("created_by", "approved_by")
    filterset_class = RepriceBatchFilterSet
    ordering = ("-created_at", "-id")
    ordering_fields = ("created_at", "status")
    search_fields = ()

    def get_serializer_class(self):
        if self.action == "list":
            return RepriceBatchSerializer
        if self.action == "create":
            return RepriceRequestSerializer
        if self.action == "approve":
            return ApproveRequestSerializer
        return RepriceBatchDetailSerializer

    def get_queryset(self):
        qs = super().get_queryset()
        if self.action == "retrieve":
            qs = qs.prefetch_related("rows")
        return qs

    def _detail(self, batch, status_code=status.HTTP_200_OK):
        batch = RepriceBatch.objects.prefetch_related("rows").get(pk=batch.pk)
        return Response(RepriceBatchDetailSerializer(batch, context=self.get_serializer_context()).data, status_code)

    @extend_schema(request=RepriceRequestSerializer, responses={201: RepriceBatchDetailSerializer})
    def create(self, request, *args, **kwargs):
        asked = RepriceRequestSerializer(data=request.data)
        asked.is_valid(raise_exception=True)
        try:
            batch = reprice.propose_reprice(
                tenant_id=reprice.default_tenant_id(),
                targets=asked.validated_data["targets"],
                category_st_id=asked.validated_data["category"],
                st_ids=asked.validated_data["st_ids"],
                user=request.user,
            )
        except reprice.RepriceError as exc:
            raise ValidationError({"detail": str(exc)}) from exc
        return self._detail(batch, status.HTTP_201_CREATED)

    @extend_schema(request=ApproveRequestSerializer, responses={200: RepriceBatchDetailSerializer})
    @action(detail=True, methods=["post"], permission_classes=[ModelChangePermission])
    def approve(self, request, pk=None):
        batch = self.get_object()
        if not reprice.can_approve(request.user):
            raise PermissionDenied("Only members of “Pricebook approvers” can approve a reprice.")
        asked = ApproveRequestSerializer(data=request.data)
        asked.is_valid(raise_exception=True)
        try:
            reprice.approve_batch(batch, rows=asked.validated_data["rows"], user=request.user)
        except reprice.ApprovalDenied as exc:
            raise PermissionDenied(str(exc)) from exc
        except reprice.RepriceError as exc:
            raise ValidationError({"detail": str(exc)}) from exc
        return self._detail(batch)

    @extend_schema(request=None, responses={200: RepriceBatchDetailSerializer})
    @action(detail=True, methods=["post"], permission_classes=[ModelChangePermission])
    def discard(self, request, pk=None):
        batch = self.get_object()
        try:
            reprice.discard_batch(batch, user=request.user)
        except reprice.RepriceError as exc:
            raise ValidationError({"detail": str(exc)}) from exc
        return self._detail(batch)


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
