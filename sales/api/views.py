from sales.api.serializers import EstimateItemSerializer, EstimateSerializer
from sales.filtersets import EstimateFilterSet, EstimateItemFilterSet
from sales.models import Estimate, EstimateItem
from servicetitan.api.views import MirrorViewSet


class EstimateViewSet(MirrorViewSet):
    queryset = Estimate.objects.all()
    serializer_class = EstimateSerializer
    filterset_class = EstimateFilterSet
    search_fields = ("name", "job_number", "summary")


class EstimateItemViewSet(MirrorViewSet):
    queryset = EstimateItem.objects.all()
    serializer_class = EstimateItemSerializer
    filterset_class = EstimateItemFilterSet
    search_fields = ("sku_name", "description")
