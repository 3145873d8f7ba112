"""Forms of the pricebook admin: the override form beside ServiceTitan's values, price changes, imports."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.dateparse import parse_datetime

from pricebook.models import OVERRIDE_COLUMNS, OVERRIDE_MONEY, PricebookOverride, override_fields_for
from pricebook.selectors import ITEM_KINDS, effective_values, get_item
from pricebook.services.images import ImageRejected, check_image, check_image_size
from pricebook.services.overrides import same_as_servicetitan
from pricebook.services.pricing import PRICE_FIELDS, Rounding

_MONEY_FIELD = {"max_digits": OVERRIDE_MONEY["max_digits"], "decimal_places": 4}
LABELS = {
    "name": "Name",
    "cost": "Cost",
    "price": "Price",
    "member_price": "Member price",
    "add_on_price": "Add-on price",
    "description": "Description",
    "active": "Active",
}


def _form_field(name: str) -> forms.Field:
    if name == "description":
        return forms.CharField(label=LABELS[name], required=False, widget=forms.Textarea(attrs={"rows": 4}))
    if name == "active":
        return forms.BooleanField(label=LABELS[name], required=False)
    if name == "name":
        return forms.CharField(label=LABELS[name], required=False, max_length=512)
    return forms.DecimalField(label=LABELS[name], required=False, **_MONEY_FIELD)


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

    def __init__(self, *args, item, item_type: str, override: PricebookOverride | None = None, **kwargs):
        self.item, self.item_type, self.override = item, item_type, override
        effective = {
            name: _shown(value) for name, value in effective_values(item, override, item_type=item_type).items()
        }
        initial = {**effective, "base_modified_on": item.st_modified_on.isoformat() if item.st_modified_on else ""}
        super().__init__(*args, initial={**initial, **kwargs.pop("initial", {})}, **kwargs)
        self.value_fields = [f.name for f in override_fields_for(item_type)]
        for name in reversed(self.value_fields):
            self.fields = {name: _form_field(name), **self.fields}
        if not (override and override.has_image):
            del self.fields["remove_image"]

    def clean_base_modified_on(self):
        value = self.cleaned_data.get("base_modified_on")
        return parse_datetime(value) if value else None

    def override_values(self) -> dict:
        """Field -> wanted value, None where it equals ServiceTitan's (not overridden)."""
        values = {}
        for name in self.value_fields:
            value = self.cleaned_data.get(name)
            if name in ("name", "description"):
                value = value or ""
            elif name == "active":
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


class PricebookOverrideAdminForm(forms.ModelForm):
    """Add/change an override directly (by item type and ServiceTitan id)."""

    image = ImageField(required=False, help_text="JPEG, PNG, GIF or WebP.")
    remove_image = forms.BooleanField(required=False, label="Remove the pending image")

    class Meta:
        model = PricebookOverride
        fields = ("item_type", "st_pricebook_id", *OVERRIDE_COLUMNS)
        widgets = {"override_active": ActiveOverrideSelect}
        help_texts = dict.fromkeys(fields[2:-1], "Empty: ServiceTitan's value.")

    def clean(self):
        cleaned = super().clean()
        item_type, st_id = cleaned.get("item_type"), cleaned.get("st_pricebook_id")
        if item_type and st_id is not None:
            self.item = get_item(item_type, st_id)
            if self.item is None:
                raise forms.ValidationError(
                    f"There is no {item_type} with ServiceTitan id {st_id} in the mirror; sync the pricebook first."
                )
            allowed = {f.override for f in override_fields_for(item_type)}
            for column in OVERRIDE_COLUMNS:
                # Only prices are missing from some item types (categories).
                if column not in allowed and cleaned.get(column) is not None:
                    self.add_error(column, "Categories have no prices.")
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


class ImportForm(forms.Form):
    file = forms.FileField(help_text="CSV or Excel (.xlsx) with a 'code' column and the columns to change.")
    item_type = forms.ChoiceField(choices=[(t, t) for t in ITEM_KINDS if t != "category"], widget=forms.HiddenInput)
