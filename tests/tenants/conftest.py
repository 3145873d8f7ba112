"""Two tenants holding OVERLAPPING ServiceTitan ids (same st_id, different tenant_id and names), one row of every
model with `tenant_id` in each, and a staff user in tenant A only."""

from __future__ import annotations

import datetime
import itertools
from decimal import Decimal

import pytest
from django.apps import apps
from django.contrib.auth.models import Permission
from django.db import models
from django.utils import timezone

from tenants.access import has_model_tenant
from tenants.models import Tenant
from tests.factories import UserFactory

TENANT_A, TENANT_B = 7000001, 7000002
SHARED_ST_ID = 424242
# What each tenant's text columns hold: B's must never show up for A's user.
MARKER = {TENANT_A: "alphamarker", TENANT_B: "bravomarker"}

_serial = itertools.count(1)


def tenant_models() -> list[type[models.Model]]:
    return [
        m
        for m in apps.get_models()
        if has_model_tenant(m) and m._meta.managed and not m._meta.proxy and not m._meta.abstract
    ]


def _value(field, tenant_id: int, cache: dict):
    marker = MARKER[tenant_id]
    if isinstance(field, models.ForeignKey) and field.related_model is Tenant:
        return Tenant.objects.get(st_tenant_id=tenant_id).pk  # the row's own tenant (the fixture made both)
    if field.attname == "tenant_id":
        return tenant_id
    if field.choices:
        return field.choices[0][0]
    if isinstance(field, models.ForeignKey):
        if field.null:
            return None
        return make_row(field.related_model, tenant_id, cache).pk
    if field.name in ("st_id", "st_pricebook_id") or field.name.endswith("_st_id"):
        return SHARED_ST_ID if field.name == "st_id" or field.name == "st_pricebook_id" else None
    if isinstance(field, models.BooleanField):
        return False
    if isinstance(field, models.DecimalField):
        return Decimal("1")
    if isinstance(field, models.IntegerField | models.BigIntegerField | models.FloatField):
        return 1
    if isinstance(field, models.DateTimeField):
        return timezone.now() - datetime.timedelta(days=1)
    if isinstance(field, models.DateField):
        return datetime.date.today()
    if isinstance(field, models.JSONField):
        return {}
    if isinstance(field, models.EmailField):
        return f"{marker}@example.com"
    if isinstance(field, models.URLField):
        return f"https://example.com/{marker}"
    if isinstance(field, models.CharField | models.TextField):
        text = f"{marker}{next(_serial)}"
        return text[: field.max_length] if field.max_length else text
    if isinstance(field, models.BinaryField):
        return b""
    return None


def make_row(model, tenant_id: int, cache: dict):
    """One row of `model` for `tenant_id` (its parents made alike), every text column carrying the tenant's marker."""
    key = (model, tenant_id)
    if key in cache:
        return cache[key]
    values = {}
    for field in model._meta.concrete_fields:
        if field.primary_key and isinstance(field, models.AutoField):
            continue
        if field.has_default() and field.attname != "tenant_id" and not isinstance(field, models.CharField):
            continue
        value = _value(field, tenant_id, cache)
        if value is None and not field.null:
            if field.has_default():
                continue
            value = next(_serial)
        values[field.attname] = value
    row = model.objects.create(**values)
    cache[key] = row
    return row


@pytest.fixture
def two_tenants(db):
    a = Tenant.objects.create(name="Alpha Heating", st_tenant_id=TENANT_A, is_default=True)
    b = Tenant.objects.create(name="Bravo Plumbing", st_tenant_id=TENANT_B)
    made: dict = {}
    for model in tenant_models():
        for tenant_id in (TENANT_A, TENANT_B):
            make_row(model, tenant_id, made)
    rows = {t: {model: row for (model, tenant_id), row in made.items() if tenant_id == t} for t in (TENANT_A, TENANT_B)}
    return a, b, rows


@pytest.fixture
def user_in_a(two_tenants):
    """A staff user (every permission, not a superuser) in tenant A only."""
    a, _b, _rows = two_tenants
    user = UserFactory(is_staff=True)
    user.user_permissions.set(Permission.objects.all())
    a.users.add(user)
    return user
