import pytest

from crm.models import Customer, Location
from devtools.simulator import DEMO_CLIENT_SECRET, DEMO_TENANT_ID
from tests.api_support import check_read_endpoint, check_read_only, client_for, st_ids
from tests.factories import ContactFactory, CustomerFactory, LocationFactory, UserFactory, viewer

pytestmark = pytest.mark.django_db

CUSTOMERS = "/api/v1/crm/customers/"
LOCATIONS = "/api/v1/crm/locations/"
ADDRESS = {"street": "12 Oak St", "city": "Austin", "state": "TX", "zip": "78701", "country": "USA"}


@pytest.mark.parametrize(
    ("url", "factory"),
    [(CUSTOMERS, CustomerFactory), (LOCATIONS, LocationFactory), ("/api/v1/crm/contacts/", ContactFactory)],
)
def test_read_endpoint(url, factory):
    check_read_endpoint(url, factory)


def test_contacts_are_read_only():
    check_read_only("/api/v1/crm/contacts/", ContactFactory)


def test_customer_filters_and_search():
    austin = CustomerFactory(name="Ada Smith", city="Austin", type=Customer.Type.COMMERCIAL)
    CustomerFactory(name="Bo Jones", city="Dallas")
    client = client_for(viewer())
    assert st_ids(client.get(CUSTOMERS, {"city": "Austin"})) == {str(austin.st_id)}
    assert st_ids(client.get(CUSTOMERS, {"type": "Commercial"})) == {str(austin.st_id)}
    assert st_ids(client.get(CUSTOMERS, {"name__icontains": "smi"})) == {str(austin.st_id)}
    assert st_ids(client.get(CUSTOMERS, {"search": "ada"})) == {str(austin.st_id)}
    ordered = client.get(CUSTOMERS, {"ordering": "-name"}).json()["results"]
    assert [row["name"] for row in ordered] == ["Bo Jones", "Ada Smith"]


def test_locations_filter_by_customer_and_join_by_st_id():
    customer = CustomerFactory()
    mine = LocationFactory(customer_st_id=customer.st_id)
    LocationFactory()
    assert st_ids(client_for(viewer()).get(LOCATIONS, {"customer_st_id": customer.st_id})) == {str(mine.st_id)}
    assert Location.objects.get(pk=mine.pk).customer == customer
    assert list(customer.locations.all()) == [mine]


# --- Write-through ----------------------------------------------------------------------------------------------------
def writer(*codenames):
    return client_for(UserFactory(permissions=[f"crm.{c}" for c in codenames]))


def test_create_customer_writes_to_servicetitan_and_mirrors_the_answer(simulator):
    response = writer("add_customer").post(
        CUSTOMERS, {"name": "Nora Diaz", "type": "Residential", "address": ADDRESS, "do_not_mail": True}, format="json"
    )

    assert response.status_code == 201, response.content
    body = response.json()
    in_servicetitan = simulator.dataset.get("crm.customers", body["st_id"])
    assert in_servicetitan["name"] == "Nora Diaz" and in_servicetitan["doNotMail"] is True
    customer = Customer.objects.get(tenant_id=DEMO_TENANT_ID, st_id=body["st_id"])
    assert (customer.name, customer.city, customer.do_not_mail) == ("Nora Diaz", "Austin", True)
    assert body["name"] == "Nora Diaz" and body["street"] == "12 Oak St"
    # ServiceTitan created the customer's first location at its address; it is mirrored too.
    location = Location.objects.get(customer_st_id=customer.st_id)
    assert location.street == "12 Oak St" and simulator.dataset.get("crm.locations", location.st_id) is not None


def test_update_customer_completes_a_partial_address(simulator):
    record = simulator.dataset.records("crm.customers")[0]
    # With its coordinates, as ServiceTitan's customer update requires them (the spec's UpdateCustomerAddress).
    CustomerFactory(
        tenant_id=DEMO_TENANT_ID,
        st_id=record["id"],
        street=record["address"]["street"],
        city="Old",
        latitude=29.76,
        longitude=-95.37,
    )

    response = writer("change_customer").patch(
        f"{CUSTOMERS}{record['id']}/", {"name": "Renamed", "address": {"city": "Houston"}}, format="json"
    )

    assert response.status_code == 200, response.content
    in_servicetitan = simulator.dataset.get("crm.customers", record["id"])
    assert in_servicetitan["name"] == "Renamed"
    assert in_servicetitan["address"]["city"] == "Houston"
    assert in_servicetitan["address"]["street"] == record["address"]["street"]
    customer = Customer.objects.get(tenant_id=DEMO_TENANT_ID, st_id=record["id"])
    assert (customer.name, customer.city) == ("Renamed", "Houston")
    assert response.json()["name"] == "Renamed"


def test_create_and_update_location(simulator):
    customer_id = simulator.dataset.records("crm.customers")[0]["id"]
    client = writer("add_location", "change_location")

    created = client.post(
        LOCATIONS, {"customer_st_id": customer_id, "name": "Lake house", "address": ADDRESS}, format="json"
    )
    assert created.status_code == 201, created.content
    st_id = created.json()["st_id"]
    assert simulator.dataset.get("crm.locations", st_id)["customerId"] == customer_id

    updated = client.patch(f"{LOCATIONS}{st_id}/", {"name": "Lake cabin"}, format="json")
    assert updated.status_code == 200, updated.content
    assert simulator.dataset.get("crm.locations", st_id)["name"] == "Lake cabin"
    assert Location.objects.get(st_id=st_id).name == "Lake cabin"


def test_servicetitan_refusal_is_a_400_with_its_field_messages(simulator):
    response = writer("add_location").post(
        LOCATIONS, {"customer_st_id": 999, "name": "Nowhere", "address": ADDRESS}, format="json"
    )

    assert response.status_code == 400
    body = response.json()
    assert "999 does not exist" in body["detail"]
    assert any("999 does not exist" in m for messages in body["errors"].values() for m in messages)
    assert body["servicetitan_status"] == 400
    assert DEMO_CLIENT_SECRET not in response.content.decode()
    assert not Location.objects.exists()


def test_invalid_input_is_refused_before_calling_servicetitan(simulator):
    simulator.reset_stats()
    response = writer("add_customer").post(CUSTOMERS, {"address": {"city": "Austin"}}, format="json")
    assert response.status_code == 400
    assert set(response.json()) >= {"name", "address"}
    assert simulator.stats.total == 0


def test_unconfigured_servicetitan_is_a_503_without_secrets(settings):
    settings.SERVICE_TITAN = {**settings.SERVICE_TITAN, "CLIENT_ID": "", "CLIENT_SECRET": "s3cr3t-value"}
    response = writer("add_customer").post(CUSTOMERS, {"name": "X", "address": ADDRESS}, format="json")
    assert response.status_code == 503
    assert "s3cr3t-value" not in response.content.decode()


@pytest.mark.parametrize(
    ("perms", "method", "expected"),
    [
        ((), "post", 403),
        (("change_customer",), "post", 403),
        (("add_customer",), "patch", 403),
    ],
)
def test_writes_need_the_model_permission(perms, method, expected):
    customer = CustomerFactory()
    client = writer(*perms, "view_customer")
    url = CUSTOMERS if method == "post" else f"{CUSTOMERS}{customer.st_id}/"
    assert getattr(client, method)(url, {"name": "X"}, format="json").status_code == expected


def test_viewers_cannot_write():
    customer = CustomerFactory()
    client = client_for(viewer())
    assert client.post(CUSTOMERS, {"name": "X", "address": ADDRESS}, format="json").status_code == 403
    assert client.patch(f"{CUSTOMERS}{customer.st_id}/", {"name": "X"}, format="json").status_code == 403
    assert client.put(f"{CUSTOMERS}{customer.st_id}/", {"name": "X"}, format="json").status_code in (403, 405)


CUSTOMER_CONTACTS = "/api/v1/crm/customer-contacts/"


def test_customer_contacts_read_endpoint():
    from tests.factories import CustomerContactFactory

    check_read_endpoint(CUSTOMER_CONTACTS, CustomerContactFactory)
    check_read_only(CUSTOMER_CONTACTS, CustomerContactFactory)


def test_customer_contacts_filter_by_customer():
    from tests.factories import CustomerContactFactory

    customer = CustomerFactory()
    mine = CustomerContactFactory(customer_st_id=customer.st_id, type="Email", value="ada@example.com")
    CustomerContactFactory()
    client = client_for(viewer())
    assert st_ids(client.get(CUSTOMER_CONTACTS, {"customer": customer.st_id})) == {str(mine.st_id)}
    assert st_ids(client.get(CUSTOMER_CONTACTS, {"customer_st_id": customer.st_id})) == {str(mine.st_id)}
    row = client.get(CUSTOMER_CONTACTS, {"customer": customer.st_id}).json()["results"][0]
    assert (row["type"], row["value"], row["customer_st_id"]) == ("Email", "ada@example.com", customer.st_id)
    assert client.get(CUSTOMER_CONTACTS, {"nope": 1}).status_code == 400  # unknown filters are refused
