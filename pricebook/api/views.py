"""The pricebook API: the mirror, read-only by ServiceTitan id, and overrides (written through the services)."""

from __future__ import annotations

from django.db.models import F, Prefetch
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import APIException, PermissionDenied, ValidationError
from rest_framework.filters import SearchFilter
from rest_framework.response import Response

from pricebook.api.create import ItemCreateMixin
from pricebook.api.serializers import (
    ApproveRequestSerializer,
    CategorySerializer,
    EquipmentSerializer,
    HealthLineSerializer,
    MarkupTierEditSerializer,
    MarkupTierInputSerializer,
    MarkupTierSerializer,
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
    PricingRuleFilterSet,
    RepriceBatchFilterSet,
    ServiceFilterSet,
)
from pricebook.health import pricebook_health
from pricebook.models import (
    Category,
    Equipment,
    MarkupTier,
    MarkupTierEdit,
    Material,
    PricebookOverride,
    PriceHistory,
    PricingRule,
    RepriceBatch,
    RepriceRow,
    Service,
    override_fields_for,
)
from pricebook.selectors import (
    effective_value_expression,
    items_with_sold_90_days,
    with_effective_values,
    with_margins,
    with_sold_90_days,
)
from pricebook.services import markup as markup_services
from pricebook.services import reprice
from pricebook.services.overrides import OverrideError, discard_override
from servicetitan.api.filters import DeclaredOrderingFilter, KnownQueryParameters
from servicetitan.api.permissions import ModelChangePermission
from servicetitan.api.views import MirrorViewSet
from tenants.access import scope_queryset
from tenants.api.scoping import TenantScopeFilter, api_scope, api_tenant_id

# Effective values that may order a list (the description is also the schema's). Long texts are left out.
ORDERABLE_EFFECTIVE = ("name", "price", "member_price", "add_on_price", "cost", "active")


def effective_ordering_aliases(item_type: str) -> dict[str, str]:
    """`effective_<field>`: the value in use (a pending override's, else ServiceTitan's `<field>`)."""
    aliases = {
        f"effective_{f.name}": f"the {f.name.replace('_', ' ')} in use (a pending override's, else `{f.name}`)"
        for f in override_fields_for(item_type)
        if f.name in ORDERABLE_EFFECTIVE
    }
    if item_type == "service":
        # No cost override for services: the cost in use is the rolled-up, stored and indexed `total_cost`.
        aliases["effective_cost"] = "the cost in use: `total_cost` (labour + linked materials and equipment)"
    return aliases


class PricebookMirrorViewSet(MirrorViewSet):
    """`?ordering=` takes the model's columns (ServiceTitan's values; `code`, `name`, `price`, `margin_percent`… are
    indexed) and `effective_*` aliases: the effective value as SQL, COALESCE(a pending override's value, the column),
    a correlated lookup by the overrides' (tenant, type, ServiceTitan id) index. Unknown orderings answer 400."""

    item_type = ""
    filter_backends = [
        TenantScopeFilter,
        KnownQueryParameters,
        DjangoFilterBackend,
        SearchFilter,
        DeclaredOrderingFilter,
    ]
    ordering_aliases: dict[str, str] = {}

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if cls.item_type:
            cls.ordering_aliases = effective_ordering_aliases(cls.item_type)

    def ordering_expression(self, name: str):
        field = name.removeprefix("effective_")
        if self.item_type == "service" and field == "cost":
            return F("total_cost")
        return effective_value_expression(self.item_type, field)

    def get_queryset(self):
        return with_effective_values(super().get_queryset(), self.item_type)


class PricebookItemViewSet(PricebookMirrorViewSet):
    """Items with ServiceTitan's margin/markup (stored, indexed: `?ordering=margin_percent`, `?margin_percent__lt=40`)
    and the effective ones for the rows of the page (attached after the page is read: skipped rows cost nothing)."""

    sold_ordering = {"sold_90_days": "units sold over the last 90 days (active, not deleted invoices)"}

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if cls.item_type:
            cls.ordering_aliases = {**cls.ordering_aliases, **cls.sold_ordering}

    def ordering_expression(self, name: str):
        if name in self.sold_ordering:
            return F(name)  # the annotation of `get_queryset`
        return super().ordering_expression(name)

    def get_queryset(self):
        return items_with_sold_90_days(with_margins(MirrorViewSet.get_queryset(self), self.item_type), self.item_type)


class CategoryViewSet(PricebookMirrorViewSet):
    item_type = "category"
    queryset = Category.objects.all()
    serializer_class = CategorySerializer
    filterset_class = CategoryFilterSet
    search_fields = ("name", "path", "description")


class MaterialViewSet(ItemCreateMixin, PricebookItemViewSet):
    item_type = "material"
    queryset = Material.objects.all()
    serializer_class = MaterialSerializer
    filterset_class = MaterialFilterSet
    search_fields = ("code", "name", "description")


class ServiceViewSet(ItemCreateMixin, PricebookItemViewSet):
    item_type = "service"
    queryset = Service.objects.all()
    serializer_class = ServiceSerializer
    filterset_class = ServiceFilterSet
    search_fields = ("code", "name", "description")


class EquipmentViewSet(ItemCreateMixin, PricebookItemViewSet):
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

    def get_serializer_context(self):
        # A new override belongs to the request's tenant (X-LAZI-Tenant / ?tenant=, else the user's own).
        context = super().get_serializer_context()
        if not getattr(self, "swagger_fake_view", False):
            context["tenant_id"] = api_tenant_id(self.request)
        return context

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
    filterset_class = PricingRuleFilterSet
    ordering = ("item_type", "category_st_id", "name")
    ordering_fields = ("name", "item_type", "updated_at")
    search_fields = ("name",)


def _rows_with_sales() -> Prefetch:
    """A batch's rows with how much each item sold (`sold_90_days`), in one query for the batch."""
    return Prefetch("rows", queryset=with_sold_90_days(RepriceRow.objects.all()))


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
            qs = qs.prefetch_related(_rows_with_sales())
        return qs

    def _detail(self, batch, status_code=status.HTTP_200_OK):
        batch = RepriceBatch.objects.prefetch_related(_rows_with_sales()).get(pk=batch.pk)
        return Response(RepriceBatchDetailSerializer(batch, context=self.get_serializer_context()).data, status_code)

    @extend_schema(request=RepriceRequestSerializer, responses={201: RepriceBatchDetailSerializer})
    def create(self, request, *args, **kwargs):
        asked = RepriceRequestSerializer(data=request.data)
        asked.is_valid(raise_exception=True)
        try:
            batch = reprice.propose_reprice(
                tenant_id=api_tenant_id(request) or reprice.default_tenant_id(),
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
    # Any id reaches the view (as for every other route): text or a number past 64 bits is the API's JSON 404, not
    # the site's HTML "page not found".
    lookup_value_regex = r"[^/]+"
    ordering = ("-changed_at", "-id")
    # History rows have no ServiceTitan id of their own: `?cursor=` pages on (tenant, row id), not the mirrors' key.
    cursor_ordering = ("tenant_id", "id")
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
        scope = api_scope(request)
        # The request's tenant's items (everyone's while no tenants are defined; none for a user in no tenant).
        health = pricebook_health(scope.st_tenant_id) if scope.unrestricted or scope.tenant else []
        lines = [line.as_dict() for line in health]
        for line in lines:
            line["url"] = request.build_absolute_uri(line["url"])
        return Response(HealthLineSerializer(lines, many=True).data)


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
        edits = scope_queryset(edits, api_scope(self.request))
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
        tenant_id = api_tenant_id(request) or markup_services.tenant_for_new_tiers()
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
