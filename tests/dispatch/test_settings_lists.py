"""Tag types and user roles (ServiceTitan settings lists), mirrored beside business units and employees."""

import factory
import pytest

from dispatch.models import TagType, UserRole
from tests.admin_support import check_mirror_admin
from tests.api_support import check_read_endpoint, check_read_only
from tests.factories import MirrorFactory
from tests.servicetitan.sync_support import assert_mirror_equals
from tests.sync_support import check_sync, sync

pytestmark = pytest.mark.django_db


class TagTypeFactory(MirrorFactory):
    class Meta:
        model = TagType

    name = factory.Sequence(lambda n: f"Tag {n}")


class UserRoleFactory(MirrorFactory):
    class Meta:
        model = UserRole

    name = factory.Sequence(lambda n: f"Role {n}")


@pytest.mark.parametrize(
    ("url", "factory"),
    [("/api/v1/dispatch/tag-types/", TagTypeFactory), ("/api/v1/dispatch/user-roles/", UserRoleFactory)],
)
def test_read_endpoint_and_admin(url, factory):
    check_read_endpoint(url, factory)
    check_read_only(url, factory)
    check_mirror_admin(factory)


def test_sync_mirrors_tag_types_and_user_roles(simulator):
    check_sync(
        simulator,
        {
            "dispatch.tag-types": (TagType, lambda r: {"name": r["name"], "code": r["code"], "color": r["color"]}),
            "dispatch.user-roles": (UserRole, lambda r: {"name": r["name"], "employee_type": r["employeeType"]}),
        },
    )
    assert_mirror_equals(simulator, ("dispatch.tag-types",))
    assert_mirror_equals(simulator, ("dispatch.user-roles",), kind="list")
    # User roles have no change filter: each run lists them whole, and one no longer listed is deleted.
    (gone,) = simulator.dataset.delete("dispatch.user-roles", 1)
    sync(["dispatch.user-roles"], full=False)
    assert UserRole.objects.get(st_id=gone).deleted
