"""CRM writes: through ServiceTitan first, then into the mirror from ServiceTitan's answer.

Bodies are ServiceTitan's (camelCase), as `servicetitan.api.serializers.ServiceTitanBodySerializer` produces them.
"""

from __future__ import annotations

from crm.models import Customer, Location
from servicetitan.client import get_client
from servicetitan.mirroring import address_of
from servicetitan.writethrough import store_answers, write_through


def create_customer(body: dict) -> Customer:
    """Creates a customer with its locations (by default one at the customer's address); mirrors both at once."""
    body = {"locations": [{"name": body["name"], "address": body["address"]}], **body}
    client = get_client()
    answer = client.create("crm.customers", body)
    customer = store_answers("crm.customers", [answer], client.tenant_id)[0]
    # ServiceTitan answers with the new locations inside the customer.
    locations = [{"customerId": customer.st_id, **location} for location in answer.get("locations") or []]
    store_answers("crm.locations", locations, client.tenant_id)
    return customer


def update_customer(customer: Customer, changes: dict) -> Customer:
    body = _with_whole_address(customer, changes)
    return write_through("crm.customers", lambda client: client.update("crm.customers", customer.st_id, body))


def create_location(body: dict) -> Location:
    return write_through("crm.locations", lambda client: client.create("crm.locations", body))


def update_location(location: Location, changes: dict) -> Location:
    body = _with_whole_address(location, changes)
    return write_through("crm.locations", lambda client: client.update("crm.locations", location.st_id, body))


def _with_whole_address(row, changes: dict) -> dict:
    """ServiceTitan's PATCH takes an address only whole: complete a partial one from the mirrored row. Its `unit` is
    a required string there (UpdateCustomerAddress, AddressPatchModel), never null: none is an empty one."""
    if "address" not in changes:
        return changes
    address = {**address_of(row), **changes["address"]}
    if address.get("unit") is None:
        address["unit"] = ""
    return {**changes, "address": address}
