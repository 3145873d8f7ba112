from sales.models import Estimate, EstimateItem
from servicetitan.api.filtersets import MirrorFilterSet

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
