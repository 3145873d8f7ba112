"""Serializers of the pricebook API: the mirror (with the values staff see) and overrides."""

from __future__ import annotations

from django.db import models as django_models
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from pricebook.models import (
    OVERRIDE_COLUMNS,
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
    not_overridable_message,
    override_fields_for,
)
from pricebook.selectors import effective_margins, effective_values, get_item, item_kind
from pricebook.services import overrides as override_services
from pricebook.services.guardrails import price_errors, price_warnings, values_after
from pricebook.services.images import ImageRejected, check_image, check_image_size
from pricebook.services.price_lists import price_list_errors
from servicetitan.api.serializers import MirrorSerializer, RejectUnknownFieldsMixin
from tenants.api.scoping import api_tenant_id


def effective_serializer(model, item_type: str) -> type[serializers.Serializer]:
    """The `effective` object of one item type: each overridable field typed like its column (money as a string
    with the column's decimals, as everywhere in the API), read from the `effective_<field>` the selector set."""
    declared = {}
    for field in override_fields_for(item_type):
        column = model._meta.get_field(field.name)
        source = f"effective_{field.name}"
        if isinstance(column, django_models.DecimalField):
            declared[field.name] = serializers.DecimalField(
                max_digits=column.max_digits, decimal_places=column.decimal_places, source=source, read_only=True
            )
        elif isinstance(column, django_models.BooleanField):
            declared[field.name] = serializers.BooleanField(source=source, read_only=True)
        elif isinstance(column, django_models.JSONField):
            declared[field.name] = serializers.JSONField(source=source, read_only=True)
        else:
            declared[field.name] = serializers.CharField(source=source, read_only=True)
    return type(f"{model.__name__}Effective", (serializers.Serializer,), declared)


class EffectiveValuesMixin(serializers.Serializer):
    """`override_status` and `effective`: the values shown to staff (the override's while it waits to be pushed)."""

    item_type = ""
    override_status = serializers.CharField(read_only=True, allow_null=True)

    def get_fields(self):
        fields = super().get_fields()
        fields["effective"] = effective_serializer(self.Meta.model, self.item_type)(source="*", read_only=True)
        return fields


class EffectiveMarginsSerializer(serializers.Serializer):
    cost = serializers.DecimalField(max_digits=20, decimal_places=4)
    price = serializers.DecimalField(max_digits=20, decimal_places=4)
    margin_percent = serializers.DecimalField(max_digits=24, decimal_places=4, allow_null=True)
    markup_percent = serializers.DecimalField(max_digits=24, decimal_places=4, allow_null=True)


class MarginsMixin(EffectiveValuesMixin):
    """ServiceTitan's `margin_percent` = (price - cost) / price x 100 and `markup_percent` = (price - cost) / cost x
    100 (null when undefined: price 0, cost 0), stored and indexed (filter `margin_percent__lt`, `__gte`; ordering
    `margin_percent`, `markup_percent`); `effective_margins`: the same from the effective values (a pending override)."""

    margin_percent = serializers.DecimalField(max_digits=24, decimal_places=4, read_only=True, allow_null=True)
    markup_percent = serializers.DecimalField(max_digits=24, decimal_places=4, read_only=True, allow_null=True)
    effective_margins = serializers.SerializerMethodField()

    @extend_schema_field(EffectiveMarginsSerializer)
    def get_effective_margins(self, obj) -> dict:
        return EffectiveMarginsSerializer(effective_margins(obj, self.item_type)).data


class AnnotationDecimalField(serializers.DecimalField):
    """A figure the list's selector annotates; null on an item read without it (e.g. the answer to a create)."""

    def get_attribute(self, instance):
        return getattr(instance, self.source, None)


class SoldMixin(serializers.Serializer):
    """`sold_90_days`: units sold over the last 90 days (active, not deleted invoices of its SKU and type), the
    list's `?ordering=sold_90_days` / `-sold_90_days`."""

    sold_90_days = AnnotationDecimalField(max_digits=20, decimal_places=4, read_only=True, allow_null=True)


class CategorySerializer(EffectiveValuesMixin, MirrorSerializer):
    item_type = "category"

    class Meta:
        model = Category
        fields = ("name", "description", "image_url", "category_type", "position", "parent_st_id", "depth", "path")


class MaterialSerializer(SoldMixin, MarginsMixin, MirrorSerializer):
    item_type = "material"

    class Meta:
        model = Material


class ServiceSerializer(SoldMixin, MarginsMixin, MirrorSerializer):
    """A service's `total_cost` is its labour `cost` plus `materials_cost` and `equipment_cost` (its linked items,
    quantity x cost); its margin and markup use that total."""

    item_type = "service"
    materials_cost = serializers.DecimalField(max_digits=18, decimal_places=4, read_only=True)
    equipment_cost = serializers.DecimalField(max_digits=18, decimal_places=4, read_only=True)
    total_cost = serializers.DecimalField(max_digits=20, decimal_places=4, read_only=True)

    class Meta:
        model = Service


class EquipmentSerializer(SoldMixin, MarginsMixin, MirrorSerializer):
    item_type = "equipment"

    class Meta:
        model = Equipment


class PricebookOverrideSerializer(RejectUnknownFieldsMixin, serializers.ModelSerializer):
    """An override. Writing one marks it pending and queues its push; a field set to null is no longer overridden.
    `image` is a multipart file upload (JPEG, PNG, GIF or WebP). `override_cost`: materials and equipment only.

    Guardrails: a negative price or cost is refused (400). A value staff must confirm (member price at or above the
    price, price below cost) is refused with 400 listing the warnings under `confirm_warnings`, unless the request
    sends `"confirm_warnings": true`."""

    confirm_warnings = serializers.BooleanField(
        write_only=True,
        required=False,
        default=False,
        help_text="Send true to save despite the warnings (member price at or above the price, price below cost) "
        "a previous answer listed under `confirm_warnings`.",
    )
    image = serializers.FileField(write_only=True, required=False, allow_null=True)
    remove_image = serializers.BooleanField(write_only=True, required=False, default=False)
    has_image = serializers.BooleanField(read_only=True)
    changed_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = PricebookOverride
        fields = (
            "id",
            "item_type",
            "st_pricebook_id",
            *OVERRIDE_COLUMNS,
            "image",
            "remove_image",
            "confirm_warnings",
            "has_image",
            "override_image_mime_type",
            "uploaded_image_path",
            "status",
            "pending_sync",
            "base_modified_on",
            "error_message",
            "field_errors",
            "changed_by",
            "changed_at",
            "last_synced_at",
        )
        read_only_fields = (
            "override_image_mime_type",
            "uploaded_image_path",
            "status",
            "pending_sync",
            "error_message",
            "field_errors",
            "changed_at",
            "last_synced_at",
        )
        extra_kwargs = {"base_modified_on": {"required": False}}
        # One override per item: writing an item that has one changes that one.
        validators = []

    def validate_image(self, upload):
        if upload is None:
            return None
        try:
            check_image_size(upload.size or 0)
            return check_image(upload.read(), upload.name or "")
        except ImageRejected as exc:
            raise serializers.ValidationError(str(exc)) from exc

    def validate(self, attrs):
        if self.instance is not None:
            for name in ("item_type", "st_pricebook_id"):
                if name in attrs and attrs[name] != getattr(self.instance, name):
                    raise serializers.ValidationError({name: "An override stays on its item; create another one."})
            item_type, st_id = self.instance.item_type, self.instance.st_pricebook_id
        else:
            item_type, st_id = attrs.get("item_type"), attrs.get("st_pricebook_id")
            if get_item(item_type, st_id) is None:
                raise serializers.ValidationError(
                    {"st_pricebook_id": f"There is no {item_type} with ServiceTitan id {st_id} in the mirror."}
                )
        allowed = {f.override for f in override_fields_for(item_type)}
        for column in OVERRIDE_COLUMNS:
            if column not in allowed and attrs.get(column) is not None:
                raise serializers.ValidationError({column: not_overridable_message(item_type, column)})
        self._check_guardrails(item_type, st_id, attrs)
        attrs["_item"] = (item_type, st_id)
        return attrs

    def _check_guardrails(self, item_type, st_id, attrs):
        if item_type == "category":
            return
        changes = {f.name: attrs[f.override] for f in override_fields_for(item_type) if f.override in attrs}
        if not item_kind(item_type).priced:
            # Discounts and fees, rate sheets: their own refusals; no price warnings (they have no cost).
            errors = price_list_errors(changes)
            if errors:
                raise serializers.ValidationError({f"override_{n}": messages for n, messages in errors.items()})
            return
        errors = price_errors(changes)
        if errors:
            raise serializers.ValidationError({f"override_{name}": messages for name, messages in errors.items()})
        item = get_item(item_type, st_id, self._tenant_id())
        if item is None:
            return
        effective = effective_values(item, item_type=item_type)
        if self.instance is not None and not self.partial:
            # A full write replaces the override: fields not given go back to ServiceTitan's.
            effective = {name: getattr(item, name) for name in effective}
        warnings = price_warnings(item_type, values_after(item, changes, item_type=item_type, effective=effective))
        if warnings and not attrs.get("confirm_warnings"):
            raise serializers.ValidationError(
                {"confirm_warnings": [f"{w.message} Send confirm_warnings: true to save anyway." for w in warnings]}
            )

    def _tenant_id(self):
        """The override's tenant: its own, or for a new one the request's (the view's context `tenant_id`)."""
        return self.instance.tenant_id if self.instance is not None else self.context.get("tenant_id")

    def _save(self, attrs, *, replace: bool):
        item_type, st_id = attrs.pop("_item")
        request = self.context.get("request")
        tenant_id = self._tenant_id()
        values = {f.name: attrs[f.override] for f in override_fields_for(item_type) if f.override in attrs}
        # Like the admin's form: a value equal to ServiceTitan's is not an override.
        values = override_services.without_servicetitan_values(item_type, st_id, values, tenant_id)
        try:
            return override_services.save_override(
                item_type=item_type,
                st_id=st_id,
                values=values,
                tenant_id=tenant_id,
                user=getattr(request, "user", None),
                base_modified_on=attrs.get("base_modified_on"),
                image=attrs.get("image"),
                remove_image=attrs.get("remove_image", False),
                replace=replace,
            )
        except override_services.OverrideError as exc:
            raise serializers.ValidationError(str(exc)) from exc

    def create(self, validated_data):
        override = self._save(validated_data, replace=False)
        if override is None:
            raise serializers.ValidationError(
                "Nothing differs from ServiceTitan: give at least one value that is not ServiceTitan's already."
            )
        return override

    def update(self, instance, validated_data):
        override = self._save(validated_data, replace=not self.partial)
        if override is None:
            # Every value was removed: the override is gone (discarded, with its history kept).
            instance.discarded = True
            return instance
        return override


# --- Pricing rules and reprices ------------------------------------------------------------------------------------
class PricingRuleSerializer(RejectUnknownFieldsMixin, serializers.ModelSerializer):
    """A pricing rule; `category` is a category's ServiceTitan id (its subcategories included), null for every one."""

    category = serializers.IntegerField(source="category_st_id", allow_null=True, required=False)

    class Meta:
        model = PricingRule
        fields = (
            "id",
            "name",
            "item_type",
            "category",
            "markup",
            "markup_percent",
            "labor_rate",
            "progressive_after_hours",
            "progressive_rate",
            "materials_markup",
            "member_discount_percent",
            "add_on_percent",
            "add_on_rate",
            "rounding",
            "min_margin_percent",
            "max_change_percent",
            "created_at",
            "updated_at",
        )
        read_only_fields = ("created_at", "updated_at")

    def validate(self, attrs):
        from django.core.exceptions import ValidationError as DjangoValidationError

        from pricebook.services.reprice import RepriceError, default_tenant_id

        rule = PricingRule(**{**self._current(), **attrs})
        if self.instance is not None:
            rule.pk, rule._state.adding = self.instance.pk, False
        if rule.tenant_id is None:
            try:
                request = self.context.get("request")
                rule.tenant_id = (api_tenant_id(request) if request is not None else None) or default_tenant_id()
            except RepriceError as exc:
                raise serializers.ValidationError(str(exc)) from exc
        try:
            rule.full_clean()
        except DjangoValidationError as exc:
            raise serializers.ValidationError(
                {("category" if k == "category_st_id" else k): v for k, v in exc.message_dict.items()}
            ) from exc
        attrs["tenant_id"] = rule.tenant_id
        return attrs

    def _current(self) -> dict:
        if self.instance is None:
            return {}
        return {
            f.attname: getattr(self.instance, f.attname)
            for f in PricingRule._meta.concrete_fields
            if f.attname not in ("id", "created_at", "updated_at")
        }


class RepriceItemSerializer(serializers.Serializer):
    type = serializers.CharField(source="item_type")
    st_id = serializers.IntegerField(source="st_pricebook_id")
    code = serializers.CharField()
    name = serializers.CharField()


class RepriceFlagSerializer(serializers.Serializer):
    code = serializers.CharField()
    reason = serializers.CharField()


class RepriceRowSerializer(serializers.ModelSerializer):
    """One item of a reprice: prices now and new, change, margins, the rule and why, and what to look at."""

    item = RepriceItemSerializer(source="*", read_only=True)
    rule = serializers.CharField(source="rule_name", read_only=True)
    flags = RepriceFlagSerializer(many=True, read_only=True)
    change_amount = serializers.DecimalField(max_digits=14, decimal_places=4, read_only=True)
    # Units of the item sold over the last 90 days (invoices): how much a change matters.
    sold_90_days = serializers.DecimalField(max_digits=20, decimal_places=4, read_only=True)

    class Meta:
        model = RepriceRow
        fields = (
            "id",
            "item",
            "cost",
            "current_price",
            "new_price",
            "change_amount",
            "change_percent",
            "current_member_price",
            "new_member_price",
            "current_add_on_price",
            "new_add_on_price",
            "margin_before",
            "margin_after",
            "sold_90_days",
            "rule",
            "explanation",
            "flags",
            "flagged",
            "status",
        )
        read_only_fields = fields


class RepriceBatchSerializer(serializers.ModelSerializer):
    """A reprice batch; `rows` on the detail (and the answer to a POST), not on the list."""

    category = serializers.IntegerField(source="category_st_id", read_only=True)
    created_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    approved_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = RepriceBatch
        fields = (
            "id",
            "status",
            "targets",
            "category",
            "st_ids",
            "totals",
            "created_by",
            "created_at",
            "approved_by",
            "approved_at",
            "pushed_at",
        )
        read_only_fields = fields


class RepriceBatchDetailSerializer(RepriceBatchSerializer):
    rows = RepriceRowSerializer(many=True, read_only=True)

    class Meta(RepriceBatchSerializer.Meta):
        fields = (*RepriceBatchSerializer.Meta.fields, "rows")
        read_only_fields = fields


class RepriceRequestSerializer(RejectUnknownFieldsMixin, serializers.Serializer):
    """What to reprice: targets as in st_sync (none: every item type), a category subtree, chosen items."""

    targets = serializers.ListField(child=serializers.CharField(), required=False, default=list)
    category = serializers.IntegerField(required=False, allow_null=True, default=None)
    st_ids = serializers.ListField(child=serializers.IntegerField(), required=False, default=list)


class ApproveRequestSerializer(RejectUnknownFieldsMixin, serializers.Serializer):
    """`rows`: "all", "unflagged", or a list of row ids."""

    rows = serializers.JSONField()

    def validate_rows(self, value):
        if value in ("all", "unflagged"):
            return value
        if isinstance(value, list) and value and all(isinstance(v, int) and not isinstance(v, bool) for v in value):
            return value
        raise serializers.ValidationError('Give "all", "unflagged" or a list of row ids.')


class PriceHistorySerializer(serializers.ModelSerializer):
    """One changed value of one item: before → after, when, and what changed it (`changed_by` null for ServiceTitan)."""

    changed_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = PriceHistory
        fields = (
            "id",
            "tenant_id",
            "item_type",
            "st_pricebook_id",
            "field",
            "old_value",
            "new_value",
            "source",
            "changed_at",
            "changed_by",
            "batch",
        )
        read_only_fields = fields


class HealthLineSerializer(serializers.Serializer):
    check = serializers.CharField(help_text="The check and item type, e.g. cost_zero.material.")
    count = serializers.IntegerField()
    url = serializers.CharField(help_text="The admin list of those items.")
    label = serializers.CharField()


# --- ServiceTitan's markup table ----------------------------------------------------------------------------------------
class MarkupTierEditSerializer(serializers.ModelSerializer):
    changed_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = MarkupTierEdit
        fields = ("from_cost", "to_cost", "percent", "status", "error_message", "changed_by", "changed_at")
        read_only_fields = fields


class MarkupTierSerializer(serializers.ModelSerializer):
    """A tier of ServiceTitan's material markup table: a cost `from_cost ≤ cost < to_cost` is marked up by `percent`.

    The values are ServiceTitan's; `pending_edit` is a local edit not accepted yet (`pending`: waiting to be pushed,
    `failed`: refused, with ServiceTitan's `error_message`)."""

    pending_edit = serializers.SerializerMethodField()

    class Meta:
        model = MarkupTier
        fields = ("st_id", "from_cost", "to_cost", "percent", "pending_edit", "synced_at")
        read_only_fields = fields

    @extend_schema_field(MarkupTierEditSerializer(allow_null=True))
    def get_pending_edit(self, obj):
        edits = self.context.get("edits")
        edit = (
            edits.get(obj.st_id)
            if edits is not None
            else MarkupTierEdit.objects.filter(tenant_id=obj.tenant_id, tier_st_id=obj.st_id).first()
        )
        return MarkupTierEditSerializer(edit).data if edit else None


class MarkupTierInputSerializer(RejectUnknownFieldsMixin, serializers.Serializer):
    """A new tier (POST: all three) or a change (PATCH: any of them). Checked as a whole table before anything is
    sent: 0 ≤ from < to ≤ 2147483647, 0 ≤ percent ≤ 100, no overlap or gap with the other tiers. Written back to
    ServiceTitan at once (POST / PUT)."""

    from_cost = serializers.DecimalField(max_digits=14, decimal_places=4)
    to_cost = serializers.DecimalField(max_digits=14, decimal_places=4)
    percent = serializers.DecimalField(max_digits=9, decimal_places=4)
    # A tier as the API answers it may be sent back as it is: its read-only fields are known, and ignored.
    st_id = serializers.IntegerField(read_only=True)
    pending_edit = serializers.JSONField(read_only=True)
    synced_at = serializers.DateTimeField(read_only=True)
