from django_filters import rest_framework as filters

from sales.models import DiscountFee, Estimate, EstimateItem
from servicetitan.api.filtersets import BooleanFilter, IntegerFilter, IntegerInFilter, MirrorFilterSet

IDS = ["exact", "in"]
PERIOD = ["gte", "lt"]


class EstimateFilterSet(MirrorFilterSet):
    class Meta:
        model = Estimate
        fields = {
            "status": ["exact"],
            "review_status": ["exact"],
            "job_st_id": IDS,
            "project_st_id": IDS,
            "customer_st_id": IDS,
            "location_st_id": IDS,
            "business_unit_st_id": IDS,
            "sold_on": PERIOD,
            "created_on": PERIOD,
        }


class EstimateItemFilterSet(MirrorFilterSet):
    class Meta:
        model = EstimateItem
        fields = {
            "estimate_st_id": IDS,
            "status": ["exact"],
            "sku_st_id": IDS,
            "sku_name": ["exact", "icontains"],
            "sku_type": ["exact"],
            "estimate_created_on": PERIOD,
            "sold_on": PERIOD,
        }


class ItemSalesFilterSet(filters.FilterSet):
    """Filters of the item sales list (whichever item type it lists)."""

    st_id = IntegerFilter(field_name="st_id")
    st_id__in = IntegerInFilter(field_name="st_id", lookup_expr="in")
    active = BooleanFilter(field_name="active")
    units_sold__gte = filters.NumberFilter(field_name="units_sold", lookup_expr="gte", label="Units sold at least")
    estimate_appearances__gte = filters.NumberFilter(
        field_name="estimate_appearances", lookup_expr="gte", label="On at least this many estimates"
    )


class DiscountFeeFilterSet(MirrorFilterSet):
    class Meta:
        model = DiscountFee
        fields = {"code": ["exact", "icontains"], "type": ["exact"], "amount_type": ["exact"]}
