from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets

from pricebook.api.views import PricebookMirrorViewSet
from pricebook.models import Material
from sales.api.serializers import (
    DiscountFeeSerializer,
    EstimateItemSerializer,
    ItemSalesQuerySerializer,
    ItemSalesSerializer,
    RateSheetSerializer,
)
from sales.filtersets import (
    DiscountFeeFilterSet,
    EstimateFilterSet,
    EstimateItemFilterSet,
    ItemSalesFilterSet,
)
from sales.models import DiscountFee, Estimate, EstimateItem, RateSheet
from sales.selectors import FIGURES, item_sales
from servicetitan.api.views import MirrorViewSet


class EstimateViewSet(MirrorViewSet):
    queryset = Estimate.objects.all()
    filterset_class = EstimateFilterSet
    search_fields = ("name", "job_number", "summary")


class EstimateItemViewSet(MirrorViewSet):
    queryset = EstimateItem.objects.all()
    serializer_class = EstimateItemSerializer
    filterset_class = EstimateItemFilterSet
    search_fields = ("sku_name", "description")


class DiscountFeeViewSet(PricebookMirrorViewSet):
    """Discounts and fees with `override_status` and their `effective` values (a pending override's)."""

    item_type = "discount_fee"
    queryset = DiscountFee.objects.all()
    serializer_class = DiscountFeeSerializer
    filterset_class = DiscountFeeFilterSet
    search_fields = ("code", "display_name", "description")


class RateSheetViewSet(PricebookMirrorViewSet):
    """Client-specific rate sheets with `override_status` and their `effective` exceptions (a pending override's)."""

    item_type = "rate_sheet"
    queryset = RateSheet.objects.all()
    serializer_class = RateSheetSerializer


class ItemSalesViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """How each pricebook item sells over the last 30, 90 or 365 days (`days`), per item type (`item_type`:
    material, service, equipment): units sold, revenue, realised average price against the list price, realised
    margin against the list margin, estimates it was on and how many of those were sold. Sort by any figure
    (`ordering=-units_sold`)."""

    serializer_class = ItemSalesSerializer
    filterset_class = ItemSalesFilterSet
    lookup_field = "st_id"
    search_fields = ("code", "name")
    ordering = ("-units_sold", "st_id")
    ordering_fields = ("st_id", "code", "name", "price", "cost", *FIGURES)
    query_parameters = tuple(ItemSalesQuerySerializer().fields)
    # For the permission check (the model's view permission) and the schema; `get_queryset` picks the item type.
    queryset = Material.objects.none()

    def query(self) -> dict:
        params = ItemSalesQuerySerializer(data=self.request.query_params)
        params.is_valid(raise_exception=True)
        return params.validated_data

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Material.objects.none()
        query = self.query()
        return item_sales(query["item_type"], days=int(query["days"]))

    @extend_schema(parameters=[ItemSalesQuerySerializer])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(parameters=[ItemSalesQuerySerializer])
    def retrieve(self, request, *args, **kwargs):
        return super().retrieve(request, *args, **kwargs)
