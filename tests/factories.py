"""factory_boy factories for mirrored rows and API users (MODULES helper; reusable by every app's tests)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group, Permission
from django.utils import timezone

from accounting.models import Invoice, Payment
from crm.models import Contact, Customer, CustomerContact, Location
from dispatch.models import BusinessUnit, Employee, Team, Technician, Zone
from inventory.models import Adjustment, PurchaseOrder, Vendor, Warehouse
from jobs.models import Appointment, Job, Project

TENANT_ID = 1000001


# --- Users ----------------------------------------------------------------------------------------------------------
class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    # Unusable: tests sign in with force_login / force_authenticate, and hashing a real one costs ~0.3 s per user.
    password = factory.LazyFunction(lambda: make_password(None))

    @factory.post_generation
    def permissions(user, create, extracted, **kwargs):
        """`UserFactory(permissions=["crm.add_customer", ...])`."""
        for label in extracted or ():
            app_label, codename = label.split(".")
            user.user_permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))

    @factory.post_generation
    def groups(user, create, extracted, **kwargs):
        """`UserFactory(groups=["Viewers"])` — the groups the migrations create."""
        for name in extracted or ():
            user.groups.add(Group.objects.get(name=name))


def viewer():
    return UserFactory(groups=["Viewers"])


# --- Mirrors --------------------------------------------------------------------------------------------------------
class MirrorFactory(factory.django.DjangoModelFactory):
    class Meta:
        abstract = True

    tenant_id = TENANT_ID
    st_id = factory.Sequence(lambda n: 10_000 + n)
    st_modified_on = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(days=1))
    synced_at = factory.LazyFunction(timezone.now)


class CustomerFactory(MirrorFactory):
    class Meta:
        model = Customer

    name = factory.Sequence(lambda n: f"Customer {n}")
    type = Customer.Type.RESIDENTIAL
    street = "1 Main St"
    city = "Austin"
    state = "TX"
    zip = "78701"
    country = "USA"
    balance = Decimal("0")


class LocationFactory(MirrorFactory):
    class Meta:
        model = Location

    customer_st_id = factory.LazyFunction(lambda: CustomerFactory().st_id)
    name = factory.Sequence(lambda n: f"Location {n}")
    street = "1 Main St"
    city = "Austin"
    state = "TX"
    zip = "78701"
    country = "USA"


class ContactFactory(MirrorFactory):
    class Meta:
        model = Contact

    st_id = factory.Faker("uuid4")
    name = factory.Sequence(lambda n: f"Contact {n}")


class CustomerContactFactory(MirrorFactory):
    class Meta:
        model = CustomerContact

    customer_st_id = factory.LazyFunction(lambda: CustomerFactory().st_id)
    type = "Phone"
    value = factory.Sequence(lambda n: f"555{n:07d}")


class ProjectFactory(MirrorFactory):
    class Meta:
        model = Project

    number = factory.Sequence(lambda n: f"P-{n}")
    name = factory.Sequence(lambda n: f"Project {n}")


class JobFactory(MirrorFactory):
    class Meta:
        model = Job

    job_number = factory.Sequence(lambda n: str(20_000 + n))
    job_status = "Scheduled"
    priority = "Normal"
    customer_st_id = factory.LazyFunction(lambda: CustomerFactory().st_id)


class AppointmentFactory(MirrorFactory):
    class Meta:
        model = Appointment

    job_st_id = factory.LazyFunction(lambda: JobFactory().st_id)
    appointment_number = factory.Sequence(lambda n: f"A-{n}")
    start = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=1))
    end = factory.LazyAttribute(lambda a: a.start + datetime.timedelta(hours=2))
    status = Appointment.Status.SCHEDULED


class BusinessUnitFactory(MirrorFactory):
    class Meta:
        model = BusinessUnit

    name = factory.Sequence(lambda n: f"Business unit {n}")


class EmployeeFactory(MirrorFactory):
    class Meta:
        model = Employee

    name = factory.Sequence(lambda n: f"Employee {n}")


class TechnicianFactory(MirrorFactory):
    class Meta:
        model = Technician

    name = factory.Sequence(lambda n: f"Technician {n}")
    team = "Team 1"


class TeamFactory(MirrorFactory):
    class Meta:
        model = Team

    name = factory.Sequence(lambda n: f"Team {n}")


class ZoneFactory(MirrorFactory):
    class Meta:
        model = Zone

    name = factory.Sequence(lambda n: f"Zone {n}")


class InvoiceFactory(MirrorFactory):
    class Meta:
        model = Invoice

    number = factory.Sequence(lambda n: str(100_000 + n))
    total = Decimal("100.00")
    balance = Decimal("100.00")
    customer_st_id = factory.LazyFunction(lambda: CustomerFactory().st_id)


class PaymentFactory(MirrorFactory):
    class Meta:
        model = Payment

    reference_number = factory.Sequence(lambda n: f"PMT-{n}")
    total = Decimal("50.00")


class VendorFactory(MirrorFactory):
    class Meta:
        model = Vendor

    name = factory.Sequence(lambda n: f"Vendor {n}")


class WarehouseFactory(MirrorFactory):
    class Meta:
        model = Warehouse

    name = factory.Sequence(lambda n: f"Warehouse {n}")


class PurchaseOrderFactory(MirrorFactory):
    class Meta:
        model = PurchaseOrder

    number = factory.Sequence(lambda n: f"PO-{n}")
    status = "Sent"
    vendor_st_id = factory.LazyFunction(lambda: VendorFactory().st_id)


class AdjustmentFactory(MirrorFactory):
    class Meta:
        model = Adjustment

    number = factory.Sequence(lambda n: f"ADJ-{n}")
    type = "Return"
