import pytest

from tests.api_support import check_read_endpoint, check_read_only, client_for, st_ids
from tests.factories import viewer
from tests.memberships.factories import FACTORIES, MembershipFactory, RecurringServiceEventFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("path", "factory"), FACTORIES.items(), ids=list(FACTORIES))
def test_read_endpoint(path, factory):
    check_read_endpoint(f"/api/v1/memberships/{path}/", factory)
    check_read_only(f"/api/v1/memberships/{path}/", factory)


def test_filters():
    client = client_for(viewer())
    active = MembershipFactory(status="Active")
    MembershipFactory(status="Expired")
    assert st_ids(client.get("/api/v1/memberships/memberships/", {"status": "Active"})) == {str(active.st_id)}
    event = RecurringServiceEventFactory()
    RecurringServiceEventFactory()
    url = "/api/v1/memberships/recurring-service-events/"
    assert st_ids(client.get(url, {"recurring_service_st_id": event.recurring_service_st_id})) == {str(event.st_id)}
