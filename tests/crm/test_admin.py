import pytest

from tests.admin_support import check_mirror_admin
from tests.factories import ContactFactory, CustomerFactory, LocationFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("factory", [CustomerFactory, LocationFactory, ContactFactory])
def test_read_only_admin(factory):
    check_mirror_admin(factory)


def test_customer_page_lists_its_contacts_by_name():
    from django.urls import reverse

    from tests.admin_support import staff_client
    from tests.factories import CustomerContactFactory

    customer = CustomerFactory(name="Ada Smith")
    phone = CustomerContactFactory(customer_st_id=customer.st_id, type="MobilePhone", value="5551234567", memo="cell")
    CustomerContactFactory(customer_st_id=customer.st_id, type="Email", value="ada@example.com")
    CustomerContactFactory(value="5559999999")  # another customer's

    page = staff_client(superuser=False, groups=["Viewers"]).get(
        reverse("admin:crm_customer_change", args=[customer.pk])
    )

    html = page.content.decode()
    assert page.status_code == 200
    assert "Mobile phone: 5551234567" in html and "cell" in html and "E-mail: ada@example.com" in html
    assert reverse("admin:crm_customercontact_change", args=[phone.pk]) in html
    assert "5559999999" not in html
    assert "Customer contacts (2)" in html  # the link to the whole list


def test_customer_contact_admin():
    from tests.factories import CustomerContactFactory

    check_mirror_admin(CustomerContactFactory)
