"""Creating and deactivating pricebook items through the API (`POST …/materials/`, `POST …/{st_id}/deactivate/`).

Input is in LAZI's names (those of the item's columns: `name`, `member_price`, `unit_of_measure`, …), checked before
any request: the fields ServiceTitan's create schema requires (`code`, `description`: `tests/pricebook/
test_create_items.py` keeps these serializers in step with the spec), no negative money (the guardrails), the
guardrails' warnings confirmed (`confirm_warnings: true`), categories that exist in the mirror. ServiceTitan's refusal
is a 400 in words with its field messages (`servicetitan.api.errors`).
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.permissions import BasePermission
from rest_framework.response import Response

from pricebook.services import create as create_services
from pricebook.services.guardrails import price_errors, price_warnings
from servicetitan.api.serializers import ServiceTitanBodySerializer
from servicetitan.api.views import CreateThroughMixin
from servicetitan.models import servicetitan_key
from tenants.api.scoping import api_tenant_id


def _money(**kwargs):
    return serializers.DecimalField(max_digits=14, decimal_places=4, required=False, **kwargs)


class NewItemInput(ServiceTitanBodySerializer):
    """A new pricebook item in LAZI's names; sent as ServiceTitan's create body."""

    item_type = ""
    # LAZI's name -> ServiceTitan's key, where `servicetitan_key` does not give it.
    renames = {"name": "displayName"}

    code = serializers.CharField(max_length=255, help_text="The item's code (SKU); required by ServiceTitan.")
    description = serializers.CharField(help_text="Shown with the item (HTML allowed); required by ServiceTitan.")
    name = serializers.CharField(
        required=False, allow_blank=True, help_text="Display name (ServiceTitan's displayName)."
    )
    price = _money()
    member_price = _money()
    add_on_price = _money()
    add_on_member_price = _money()
    hours = serializers.DecimalField(max_digits=10, decimal_places=4, required=False)
    bonus = _money()
    commission_bonus = _money()
    pays_commission = serializers.BooleanField(required=False)
    taxable = serializers.BooleanField(required=False)
    active = serializers.BooleanField(required=False, help_text="Default: active.")
    categories = serializers.ListField(
        child=serializers.IntegerField(), required=False, help_text="ServiceTitan ids of mirrored categories."
    )
    confirm_warnings = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Send true to create despite the warnings (member price at or above the price, price below cost) a "
        "previous answer listed under `confirm_warnings`.",
    )

    def validate(self, attrs):
        errors = price_errors(attrs)
        if errors:
            raise serializers.ValidationError(errors)
        warnings = price_warnings(self.item_type, attrs)
        if warnings and not attrs.get("confirm_warnings"):
            raise serializers.ValidationError(
                {"confirm_warnings": [f"{w.message} Send confirm_warnings: true to save anyway." for w in warnings]}
            )
        return attrs

    def to_servicetitan(self) -> dict:
        body = super().to_servicetitan()
        body.pop("confirmWarnings", None)
        for name, key in self.renames.items():
            if servicetitan_key(name) in body:
                body[key] = body.pop(servicetitan_key(name))
        return body


class MaterialCreateInput(NewItemInput):
    item_type = "material"
    cost = _money()
    unit_of_measure = serializers.CharField(required=False, allow_blank=True)
    is_inventory = serializers.BooleanField(required=False)
    deduct_as_job_cost = serializers.BooleanField(required=False)


class ServiceCreateInput(NewItemInput):
    """ServiceTitan's create takes no cost for a service (its cost comes from its labour and linked items)."""

    item_type = "service"
    renames = {**NewItemInput.renames, "duration_hours": "hours"}
    hours = None
    duration_hours = serializers.DecimalField(
        max_digits=10, decimal_places=4, required=False, help_text="Hours needed (ServiceTitan's hours)."
    )
    is_labor = serializers.BooleanField(required=False)


class EquipmentCreateInput(NewItemInput):
    item_type = "equipment"
    cost = _money()
    manufacturer = serializers.CharField(required=False, allow_blank=True)
    model = serializers.CharField(required=False, allow_blank=True)
    unit_of_measure = serializers.CharField(required=False, allow_blank=True)
    is_inventory = serializers.BooleanField(required=False)


CREATE_INPUTS = {"material": MaterialCreateInput, "service": ServiceCreateInput, "equipment": EquipmentCreateInput}


class CanWriteOverrides(BasePermission):
    """Deactivating is an override (`active: false`): for those who may write overrides (group Pricebook editors)."""

    message = "Deactivating an item is for those who may change overrides (group “Pricebook editors”)."

    def has_permission(self, request, view):
        user = request.user
        return bool(user and user.is_authenticated and user.has_perm("pricebook.change_pricebookoverride"))


class ItemCreateMixin(CreateThroughMixin):
    """`POST` creates the item in ServiceTitan (permission `add_<item>`, group Pricebook editors) and answers 201
    with the mirrored row; `POST {st_id}/deactivate/` sets it inactive in ServiceTitan (never deleted)."""

    def create_service(self, body):
        row = create_services.create_item(self.item_type, body, tenant_id=api_tenant_id(self.request))
        # The row as the list serves it (effective values, margins).
        return self.get_queryset().get(pk=row.pk)

    def create(self, request, *args, **kwargs):
        try:
            return super().create(request, *args, **kwargs)
        except create_services.CreateRefused as exc:
            raise serializers.ValidationError(exc.errors) from exc

    def write_input_class(self):
        if self.action == "create":
            return CREATE_INPUTS.get(self.item_type)
        return super().write_input_class()

    @extend_schema(
        request=None,
        responses={
            200: OpenApiResponse(description="ServiceTitan has the item inactive: the item as mirrored now."),
            202: OpenApiResponse(description="ServiceTitan could not be reached: the deactivation waits to be pushed."),
            400: OpenApiResponse(description="ServiceTitan refused it (`detail`, `errors`)."),
            409: OpenApiResponse(description="ServiceTitan changed the item since it was mirrored (`detail`)."),
        },
    )
    @action(detail=True, methods=["post"], permission_classes=[CanWriteOverrides])
    def deactivate(self, request, st_id=None):
        """Deactivate the item in ServiceTitan (an override `active: false`, pushed now); it is never deleted."""
        item = self.get_object()
        outcome = create_services.deactivate_item(item, user=request.user)
        row = self.get_serializer(self.get_queryset().get(pk=item.pk)).data
        if outcome.state == "done":
            return Response(row)
        body = {"detail": outcome.message, "state": outcome.state, "item": row}
        if outcome.field_errors:
            body["errors"] = outcome.field_errors
        code = status.HTTP_202_ACCEPTED if outcome.state == "waiting" else status.HTTP_400_BAD_REQUEST
        if outcome.state == "conflict":
            code = status.HTTP_409_CONFLICT
        return Response(body, status=code)
