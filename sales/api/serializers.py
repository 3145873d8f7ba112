from sales.models import Estimate, EstimateItem
from servicetitan.api.serializers import MirrorSerializer


class EstimateSerializer(MirrorSerializer):
    class Meta:
        model = Estimate


class EstimateItemSerializer(MirrorSerializer):
    class Meta:
        model = EstimateItem
        fields = ("estimate_st_id", "status", "estimate_created_on", "sold_on", *EstimateItem.st_mapping)
