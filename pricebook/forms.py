"""Forms of the pricebook admin: the override form beside ServiceTitan's values, price changes, imports."""

from __future__ import annotations

from decimal import Decimal

from django import forms

from pricebook.models import (
    ITEM_TYPES,
    OVERRIDE_COLUMNS,
    OVERRIDE_MONEY,
    MarkupTier,
    MarkupTierEdit,
    PricebookOverride,
    not_overridable_message,
    override_fields_for,
)
from pricebook.selectors import cost_column, effective_values, item_kind
from pricebook.services.guardrails import price_errors, price_warnings
from pricebook.services.images import ImageRejected, check_image, check_image_size
from pricebook.services.overrides import same_as_servicetitan
from pricebook.services.price_lists import (
    AMOUNT_TYPES,
    VALUE_TYPES,
    exceptions_text,
    parse_exceptions_text,
    price_list_errors,
)
from pricebook.services.pricing import PRICE_FIELDS, Rounding
from servicetitan.conversions import utc_datetime
from tenants.admin_scope import TenantFormMixin

_MONEY_FIELD = {"max_digits": OVERRIDE_MONEY["max_digits"], "decimal_places": 4}
LABELS = {
    "name": "Name",
    "cost": "Cost",
    "price": "Price",
    "member_price": "Member price",
    "add_on_price": "Add-on price",
    "description": "Description",
    "active": "Active",
    "display_name": "Display name",
    "amount_type": "Amount type",
    "amount": "Amount",
    "limit": "Limit",
    "taxable": "Taxable",
    "exceptions": "Exceptions",
}


class ExceptionsField(forms.CharField):
    """A rate sheet's exceptions, one a line: `SKU id, value type, value`."""

    widget = forms.Textarea(attrs={"rows": 8, "cols": 60})

    def prepare_value(self, value):
        return exceptions_text(value) if isinstance(value, list) else value

    def to_python(self, value):
        rows, errors = parse_exceptions_text(super().to_python(value))
        if errors:
            raise forms.ValidationError(errors, code="bad_exceptions")
        return rows


def _form_field(name: str) -> forms.Field:
    if name == "exceptions":
        return ExceptionsField(
            label=LABELS[name],
            required=False,
            help_text=f"One a line: SKU id, value type ({', '.join(VALUE_TYPES)}), value — e.g. 1001, Percent, 10.",
        )
    if name == "amount_type":
        return forms.ChoiceField(label=LABELS[name], required=False, choices=[(t, t) for t in AMOUNT_TYPES])
    if name == "taxable":
        return forms.BooleanField(label=LABELS[name], required=False)
    if name == "display_name":
        return forms.CharField(label=LABELS[name], required=False, max_length=512)
    if name == "description":
        return forms.CharField(label=LABELS[name], required=False, widget=forms.Textarea(attrs={"rows": 4}))
    if name == "active":
        return forms.BooleanField(label=LABELS[name], required=False)
    if name == "name":
        return forms.CharField(label=LABELS[name], required=False, max_length=512)
    return forms.DecimalField(label=LABELS[name], required=False, **_MONEY_FIELD)


CONFIRM_LABEL = "I checked the warnings: save anyway"


def check_guardrails(form: forms.Form, item_type: str, values: dict, cost=None, field_names: dict | None = None):
    """Negative money: an error on its field. Warnings: a form error unless `confirm_warnings` is ticked; they are
    kept on `form.price_warnings` so the page can show them beside the checkbox."""
    field_names = field_names or {}
    for name, messages in price_errors(values).items():
        target = field_names.get(name, name)
        for message in messages:
            form.add_error(target if target in form.fields else None, message)
    form.price_warnings = price_warnings(item_type, values, cost)
    if form.price_warnings and not form.cleaned_data.get("confirm_warnings"):
        for warning in form.price_warnings:
            form.add_error(None, f"{warning.message} Tick “{CONFIRM_LABEL}” to save it.")


def _shown(value):
    """Money as staff write it: 8.55, not 8.5500 (more digits only when they matter)."""
    if isinstance(value, Decimal):
        cents = value.quantize(Decimal("0.01"))
        return cents if cents == value else value.normalize()
    return value


class ImageField(forms.FileField):
    """An image checked by its content (magic bytes + Pillow), not by its name or the browser's word."""

    def clean(self, data, initial=None):
        upload = super().clean(data, initial)
        if not upload:
            return None
        try:
            # The size first, before reading a huge file into memory.
            check_image_size(upload.size or 0)
            return check_image(upload.read(), upload.name or "")
        except ImageRejected as exc:
            raise forms.ValidationError(str(exc), code="bad_image") from exc


class ItemOverrideForm(forms.Form):
    """The override of one item, shown with the item's effective values; a value equal to ServiceTitan's is no
    override (so only real differences are pushed)."""

    base_modified_on = forms.CharField(widget=forms.HiddenInput, required=False)
    image = ImageField(
        required=False,
        help_text="JPEG, PNG, GIF or WebP; becomes the item's default image in ServiceTitan.",
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/gif,image/webp"}),
    )
    remove_image = forms.BooleanField(required=False, label="Remove the pending image")
    confirm_warnings = forms.BooleanField(required=False, label=CONFIRM_LABEL)

    def __init__(self, *args, item, item_type: str, override: PricebookOverride | None = None, **kwargs):
        self.item, self.item_type, self.override = item, item_type, override
        self.price_warnings = []
        shown = effective_values(item, override, item_type=item_type)
        if override is not None and override.status == PricebookOverride.Status.FAILED:
            # ServiceTitan refused these values: they are not the item's, but staff correct them from here.
            shown = {**shown, **override.overridden_values()}
        effective = {name: _shown(value) for name, value in shown.items()}
        initial = {**effective, "base_modified_on": item.st_modified_on.isoformat() if item.st_modified_on else ""}
        super().__init__(*args, initial={**initial, **kwargs.pop("initial", {})}, **kwargs)
        self.value_fields = [f.name for f in override_fields_for(item_type)]
        for name in reversed(self.value_fields):
            self.fields = {name: _form_field(name), **self.fields}
        if not (override and override.has_image):
            del self.fields["remove_image"]
        if item_type not in ITEM_TYPES and item_type != "category":
            # Discounts and fees, rate sheets: no image from LAZI, no price warnings to confirm.
            del self.fields["image"], self.fields["confirm_warnings"]

    def clean_base_modified_on(self):
        # The page's own hidden copy of ServiceTitan's modifiedOn; unreadable (a truncated or edited page): no check.
        return utc_datetime(self.cleaned_data.get("base_modified_on") or None)

    def clean(self):
        cleaned = super().clean()
        if self.item_type not in ITEM_TYPES and self.item_type != "category":
            # Discounts and fees, rate sheets: refused values only (they have no cost, so no price warnings).
            values = {name: cleaned.get(name) for name in self.value_fields if name != "exceptions"}
            for name, messages in price_list_errors(values).items():
                for message in messages:
                    self.add_error(name if name in self.fields else None, message)
        elif self.item_type != "category":
            values = {}
            for name in ("cost", "price", "member_price", "add_on_price"):
                if name in self.value_fields:
                    value = cleaned.get(name)
                    values[name] = value if value is not None else getattr(self.item, name)
            cost = values.get("cost", getattr(self.item, cost_column(self.item_type)))
            check_guardrails(self, self.item_type, values, cost)
        return cleaned

    def override_values(self) -> dict:
        """Field -> wanted value, None where it equals ServiceTitan's (not overridden)."""
        values = {}
        for name in self.value_fields:
            value = self.cleaned_data.get(name)
            if name in ("name", "description", "display_name", "amount_type"):
                value = value or ""
            elif name in ("active", "taxable"):
                value = bool(value)
            values[name] = None if same_as_servicetitan(name, value, getattr(self.item, name)) else value
        return values

    def add_servicetitan_errors(self, field_errors: dict):
        """Show ServiceTitan's messages (stored on the override) next to the fields they are about."""
        for name, messages in (field_errors or {}).items():
            target = name if name in self.fields else None
            for message in messages:
                self.add_error(target, message)


class ActiveOverrideSelect(forms.NullBooleanSelect):
    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.choices = [("unknown", "Not overridden (ServiceTitan's)"), ("true", "Active"), ("false", "Inactive")]


class PricebookOverrideAdminForm(TenantFormMixin, forms.ModelForm):
    """Add/change an override directly (by item type and ServiceTitan id, of the override's tenant)."""

    image = ImageField(required=False, help_text="JPEG, PNG, GIF or WebP.")
    remove_image = forms.BooleanField(required=False, label="Remove the pending image")
    confirm_warnings = forms.BooleanField(required=False, label=CONFIRM_LABEL)

    class Meta:
        model = PricebookOverride
        fields = ("item_type", "st_pricebook_id", *OVERRIDE_COLUMNS)
        widgets = {"override_active": ActiveOverrideSelect}
        help_texts = dict.fromkeys(fields[2:-1], "Empty: ServiceTitan's value.")

    def clean(self):
        cleaned = super().clean()
        item_type, st_id = cleaned.get("item_type"), cleaned.get("st_pricebook_id")
        if self.instance.pk and not item_type:
            # Changing an override: its item is read-only on the page.
            item_type, st_id = self.instance.item_type, self.instance.st_pricebook_id
        if item_type and st_id is not None:
            self.item = self.tenant_rows(item_kind(item_type).master.objects.filter(st_id=st_id)).first()
            if self.item is None:
                raise forms.ValidationError(
                    f"There is no {item_type} with ServiceTitan id {st_id} in the mirror; sync the pricebook first."
                )
            allowed = {f.override for f in override_fields_for(item_type)}
            for column in OVERRIDE_COLUMNS:
                # Prices are missing from categories, a cost override from services (theirs is rolled up).
                if column not in allowed and cleaned.get(column) is not None:
                    self.add_error(column, not_overridable_message(item_type, column))
            if item_type not in ITEM_TYPES and item_type != "category":
                # Discounts and fees, rate sheets: their refusals, on the override column they are about.
                columns = {f.name: f.override for f in override_fields_for(item_type)}
                values = {name: cleaned.get(column) for name, column in columns.items()}
                for name, messages in price_list_errors(values).items():
                    for message in messages:
                        self.add_error(columns.get(name), message)
            elif item_type != "category":
                values = {}
                for name in ("cost", "price", "member_price", "add_on_price"):
                    value = cleaned.get(f"override_{name}")
                    values[name] = value if value is not None else getattr(self.item, name, None)
                if item_type == "service":
                    values["cost"] = self.item.total_cost
                names = {name: f"override_{name}" for name in values}
                check_guardrails(self, item_type, values, values["cost"], field_names=names)
        return cleaned

    def validate_constraints(self, exclude=None):
        # One override per item: saving on an item that has one updates it (see PricebookOverrideAdmin.save_model).
        return None

    def override_values(self) -> dict:
        return {f.name: self.cleaned_data.get(f.override) for f in override_fields_for(self.cleaned_data["item_type"])}


class PriceChangeForm(forms.Form):
    fields_to_change = forms.MultipleChoiceField(
        label="Prices to change",
        choices=list(PRICE_FIELDS.items()),
        initial=["price"],
        widget=forms.CheckboxSelectMultiple,
    )
    mode = forms.ChoiceField(
        choices=[("percent", "By a percentage (%)"), ("amount", "By a fixed amount ($)")], initial="percent"
    )
    amount = forms.DecimalField(
        max_digits=12,
        decimal_places=4,
        help_text="Positive raises prices, negative lowers them (e.g. 10 = +10%, -2.50 = $2.50 less).",
    )
    rounding = forms.ChoiceField(choices=Rounding.CHOICES, initial=Rounding.CENTS)
    confirm_warnings = forms.BooleanField(
        required=False, label=CONFIRM_LABEL, help_text="Needed when the preview lists warnings."
    )


class ImportForm(forms.Form):
    file = forms.FileField(help_text="CSV or Excel (.xlsx) with a 'code' column and the columns to change.")
    item_type = forms.ChoiceField(choices=[(t, t) for t in ITEM_TYPES], widget=forms.HiddenInput)


class MarkupTierEditForm(TenantFormMixin, forms.ModelForm):
    """A tier of ServiceTitan's markup table as staff want it (no tier: a new one); the whole table (of the edit's
    tenant) is checked."""

    tier_st_id = forms.TypedChoiceField(
        label="Tier", required=False, coerce=int, empty_value=None, help_text="Empty: add a new tier."
    )

    class Meta:
        model = MarkupTierEdit
        fields = ("tier_st_id", "from_cost", "to_cost", "percent")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        tiers = self.tenant_rows(MarkupTier.objects.filter(deleted=False)).order_by("from_cost", "st_id")
        self.fields["tier_st_id"].choices = [("", "— a new tier —"), *((t.st_id, str(t)) for t in tiers)]
        if self.instance.pk:
            self.fields["tier_st_id"].disabled = True

    def clean(self):
        from pricebook.services.markup import TierValues, effective_table, table_errors, tenant_for_new_tiers

        cleaned = super().clean()
        values = [cleaned.get(name) for name in ("from_cost", "to_cost", "percent")]
        if any(value is None for value in values):
            return cleaned
        tier_st_id = self.instance.tier_st_id if self.instance.pk else cleaned.get("tier_st_id")
        tier = self.tenant_rows(MarkupTier.objects.filter(st_id=tier_st_id)).first() if tier_st_id is not None else None
        if tier_st_id is not None and tier is None and not self.instance.pk:
            raise forms.ValidationError({"tier_st_id": "There is no such tier in this tenant's markup table."})
        self.tenant_id = tier.tenant_id if tier else (self.instance.tenant_id or tenant_for_new_tiers())
        existing = (
            self.instance.pk
            or MarkupTierEdit.objects.filter(tenant_id=self.tenant_id, tier_st_id=tier_st_id)
            .exclude(tier_st_id=None)
            .values_list("pk", flat=True)
            .first()
        )
        table = effective_table(self.tenant_id, extra=TierValues(tier_st_id, *values), ignore_edit=existing)
        for error in table_errors(table):
            self.add_error(None, error)
        return cleaned
