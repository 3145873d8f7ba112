"""Serializers of the pricebook API: the mirror (with the values staff see) and overrides."""

from __future__ import annotations

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
    Service,
    not_overridable_message,
    override_fields_for,
)
from pricebook.selectors import effective_margins, effective_values, get_item
from pricebook.services import overrides as override_services
from pricebook.services.guardrails import price_errors, price_warnings, values_after
from pricebook.services.images import ImageRejected, check_image, check_image_size
from servicetitan.api.serializers import MirrorSerializer


class EffectiveValuesMixin(serializers.Serializer):
    """`override_status` and `effective`: the values shown to staff (the override's while it waits to be pushed)."""

    item_type = ""
    override_status = serializers.CharField(read_only=True, allow_null=True)
    effective = serializers.SerializerMethodField()

    def get_effective(self, obj) -> dict:
        return {
            f.name: getattr(obj, f"effective_{f.name}", getattr(obj, f.name))
            for f in override_fields_for(self.item_type)
        }


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


class CategorySerializer(EffectiveValuesMixin, MirrorSerializer):
    item_type = "category"

    class Meta:
        model = Category
        fields = ("name", "description", "image_url", "category_type", "position", "parent_st_id", "depth", "path")


class MaterialSerializer(MarginsMixin, MirrorSerializer):
    item_type = "material"

    class Meta:
        model = Material


class ServiceSerializer(MarginsMixin, MirrorSerializer):
    """A service's `total_cost` is its labour `cost` plus `materials_cost` and `equipment_cost` (its linked items,
    quantity x cost); its margin and markup use that total."""

    item_type = "service"
    materials_cost = serializers.DecimalField(max_digits=18, decimal_places=4, read_only=True)
    equipment_cost = serializers.DecimalField(max_digits=18, decimal_places=4, read_only=True)
    total_cost = serializers.DecimalField(max_digits=20, decimal_places=4, read_only=True)

    class Meta:
        model = Service


class EquipmentSerializer(MarginsMixin, MirrorSerializer):
    item_type = "equipment"

    class Meta:
        model = Equipment


class PricebookOverrideSerializer(serializers.ModelSerializer):
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
        errors = price_errors(changes)
        if errors:
            raise serializers.ValidationError({f"override_{name}": messages for name, messages in errors.items()})
        tenant_id = self.instance.tenant_id if self.instance is not None else None
        item = get_item(item_type, st_id, tenant_id)
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

    def _save(self, attrs, *, replace: bool):
        item_type, st_id = attrs.pop("_item")
        request = self.context.get("request")
        values = {f.name: attrs[f.override] for f in override_fields_for(item_type) if f.override in attrs}
        try:
            return override_services.save_override(
                item_type=item_type,
                st_id=st_id,
                values=values,
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
            raise serializers.ValidationError("Nothing to override: give at least one value.")
        return override

    def update(self, instance, validated_data):
        override = self._save(validated_data, replace=not self.partial)
        if override is None:
            # Every value was removed: the override is gone (discarded, with its history kept).
            instance.discarded = True
            return instance
        return override


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


class MarkupTierInputSerializer(serializers.Serializer):
    """A new tier (POST: all three) or a change (PATCH: any of them). Checked as a whole table before anything is
    sent: 0 ≤ from < to ≤ 2147483647, 0 ≤ percent ≤ 100, no overlap or gap with the other tiers. Written back to
    ServiceTitan at once (POST / PUT)."""

    from_cost = serializers.DecimalField(max_digits=14, decimal_places=4)
    to_cost = serializers.DecimalField(max_digits=14, decimal_places=4)
    percent = serializers.DecimalField(max_digits=9, decimal_places=4)
