"""The pricebook API: the mirror, read-only by ServiceTitan id, and overrides (written through the services)."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.exceptions import APIException, ValidationError
from rest_framework.response import Response

from pricebook.api.serializers import (
    CategorySerializer,
    EquipmentSerializer,
    MarkupTierEditSerializer,
    MarkupTierInputSerializer,
    MarkupTierSerializer,
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
from pricebook.models import Category, Equipment, MarkupTier, MarkupTierEdit, Material, PricebookOverride, Service
from pricebook.selectors import with_effective_values, with_margins
from pricebook.services import markup as markup_services
from pricebook.services.overrides import OverrideError, discard_override
from servicetitan.api.views import MirrorViewSet
from servicetitan.pagination import LatePageNumberPagination


class PricebookMirrorViewSet(MirrorViewSet):
    item_type = ""

    def get_queryset(self):
        return with_effective_values(super().get_queryset(), self.item_type)


class PricebookItemViewSet(PricebookMirrorViewSet):
    """Items with ServiceTitan's margin/markup (stored, indexed: `?ordering=margin_percent`, `?margin_percent__lt=40`)
    and the effective ones for the rows of the page (pages read late: the effective values of skipped rows are never
    computed)."""

    pagination_class = LatePageNumberPagination

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


class MarkupTierViewSet(mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet):
    """ServiceTitan's material markup table (`materialsmarkup`), by ServiceTitan id. POST adds a tier, PATCH changes
    one: validated as a whole table, then written back to ServiceTitan at once (POST / PUT).

    Answers: 201/200 with the tier as ServiceTitan stored it; 400 when the table would be invalid (nothing saved) or
    ServiceTitan refused it (`detail` is its message; the edit is kept under `pending_edit`, status `failed`); 202
    when ServiceTitan could not be reached (the edit waits, `pending`, for `st_push` / the scheduled push)."""

    lookup_field = "st_id"
    queryset = MarkupTier.objects.filter(deleted=False)
    serializer_class = MarkupTierSerializer
    ordering = ("from_cost", "st_id")
    ordering_fields = ("from_cost", "to_cost", "percent", "st_id")
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_serializer_context(self):
        context = super().get_serializer_context()
        edits = MarkupTierEdit.objects.exclude(tier_st_id=None).select_related("changed_by")
        context["edits"] = {edit.tier_st_id: edit for edit in edits}
        return context

    def _save_and_push(self, *, tenant_id, tier_st_id, values, created: bool):
        try:
            edit = markup_services.save_tier_edit(
                tenant_id=tenant_id, tier_st_id=tier_st_id, user=self.request.user, **values
            )
        except markup_services.MarkupTableError as exc:
            raise ValidationError({"non_field_errors": exc.errors}) from exc
        if edit is None:
            return Response(self.get_serializer(self.get_object()).data)
        result = markup_services.push_markup_edits([edit.pk])
        if edit.pk in result.pushed:
            tier = MarkupTier.objects.get(tenant_id=tenant_id, st_id=result.tiers[edit.pk])
            code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
            return Response(self.get_serializer(tier).data, status=code)
        edit.refresh_from_db()
        body = {
            "detail": edit.error_message,
            "st_id": tier_st_id,
            "pending_edit": MarkupTierEditSerializer(edit).data,
        }
        failed = edit.status == MarkupTierEdit.Status.FAILED
        return Response(body, status=status.HTTP_400_BAD_REQUEST if failed else status.HTTP_202_ACCEPTED)

    @extend_schema(
        request=MarkupTierInputSerializer,
        responses={201: MarkupTierSerializer, 202: OpenApiResponse(description="Waiting to be pushed")},
    )
    def create(self, request, *args, **kwargs):
        data = MarkupTierInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        tenant_id = markup_services.tenant_for_new_tiers()
        return self._save_and_push(tenant_id=tenant_id, tier_st_id=None, values=data.validated_data, created=True)

    @extend_schema(
        request=MarkupTierInputSerializer,
        responses={200: MarkupTierSerializer, 202: OpenApiResponse(description="Waiting to be pushed")},
    )
    def partial_update(self, request, *args, **kwargs):
        tier = self.get_object()
        data = MarkupTierInputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        edit = MarkupTierEdit.objects.filter(tenant_id=tier.tenant_id, tier_st_id=tier.st_id).first()
        current = edit or tier
        values = {
            name: data.validated_data.get(name, getattr(current, name)) for name in ("from_cost", "to_cost", "percent")
        }
        return self._save_and_push(tenant_id=tier.tenant_id, tier_st_id=tier.st_id, values=values, created=False)

    def update(self, request, *args, **kwargs):
        if not kwargs.get("partial"):
            return self.http_method_not_allowed(request, *args, **kwargs)
        return super().update(request, *args, **kwargs)
