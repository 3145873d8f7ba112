from rest_framework import serializers

from pricebook.api.serializers import EffectiveValuesMixin
from sales.models import DiscountFee, EstimateItem, RateSheet
from sales.selectors import ITEM_TYPES, WINDOWS, ItemSales
from servicetitan.api.serializers import MirrorSerializer


class EstimateItemSerializer(MirrorSerializer):
    class Meta:
        model = EstimateItem
        fields = ("estimate_st_id", "status", "estimate_created_on", "sold_on", *EstimateItem.mapped_columns())


# --- Discounts and fees, rate sheets: ServiceTitan's values beside the effective ones (edited through overrides) -----
class DiscountFeeSerializer(EffectiveValuesMixin, MirrorSerializer):
    """A discount or fee as ServiceTitan has it; `effective`: what staff see (a pending override's values), edited
    through `/api/v1/pricebook/overrides/` with `item_type: discount_fee`."""

    item_type = "discount_fee"

    class Meta:
        model = DiscountFee


class RateSheetSerializer(EffectiveValuesMixin, MirrorSerializer):
    """A client-specific rate sheet's exceptions as ServiceTitan has them; `effective.exceptions`: a pending
    override's, edited through `/api/v1/pricebook/overrides/` with `item_type: rate_sheet`."""

    item_type = "rate_sheet"

    class Meta:
        model = RateSheet


# --- How each pricebook item sells -------------------------------------------------------------------------------------
class ItemSalesQuerySerializer(serializers.Serializer):
    item_type = serializers.ChoiceField(choices=sorted(ITEM_TYPES), default="material")
    days = serializers.ChoiceField(choices=WINDOWS, default=90, help_text="The window: the last 30, 90 or 365 days.")


class ItemSalesSerializer(serializers.Serializer):
    """A pricebook item with what it sold (invoice items) and how it fared on estimates over the window."""

    st_id = serializers.IntegerField(read_only=True)
    tenant_id = serializers.IntegerField(read_only=True)
    code = serializers.CharField(read_only=True)
    name = serializers.CharField(read_only=True)
    active = serializers.BooleanField(read_only=True)
    price = serializers.DecimalField(max_digits=14, decimal_places=4, read_only=True, help_text="List price.")
    cost = serializers.DecimalField(max_digits=14, decimal_places=4, read_only=True)
    units_sold = serializers.DecimalField(max_digits=20, decimal_places=4, read_only=True)
    revenue = serializers.DecimalField(max_digits=20, decimal_places=4, read_only=True)
    cost_of_sales = serializers.DecimalField(
        max_digits=20,
        decimal_places=4,
        read_only=True,
        help_text="Sum of quantity times the cost on each invoice line.",
    )
    average_price = serializers.DecimalField(
        max_digits=20, decimal_places=4, read_only=True, allow_null=True, source="sales.average_price"
    )
    price_vs_list_percent = serializers.DecimalField(
        max_digits=12,
        decimal_places=2,
        read_only=True,
        allow_null=True,
        source="sales.price_vs_list_percent",
        help_text="Realised average price against the list price, in % (negative: sold below list).",
    )
    realised_margin_percent = serializers.DecimalField(
        max_digits=12, decimal_places=2, read_only=True, allow_null=True, source="sales.realised_margin_percent"
    )
    list_margin_percent = serializers.DecimalField(
        max_digits=12, decimal_places=2, read_only=True, allow_null=True, source="sales.list_margin_percent"
    )
    estimate_appearances = serializers.IntegerField(read_only=True, help_text="Estimates it was on.")
    estimates_sold = serializers.IntegerField(read_only=True, help_text="Of those, estimates sold.")
    estimate_sold_rate_percent = serializers.DecimalField(
        max_digits=12, decimal_places=2, read_only=True, allow_null=True, source="sales.estimate_sold_rate_percent"
    )

    def to_representation(self, instance):
        instance.sales = ItemSales.of(instance)
        return super().to_representation(instance)
