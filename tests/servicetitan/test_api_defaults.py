"""`MirrorViewSet` derives a mirror's serializer and filterset from its model when the viewset names none."""

import pytest

from crm.api.views import CustomerViewSet
from crm.filtersets import CustomerFilterSet
from crm.models import Customer
from dispatch.api.views import TeamViewSet
from dispatch.models import Team
from pricebook.api.serializers import MaterialSerializer
from pricebook.api.views import MaterialViewSet
from sales.api.views import RateSheetViewSet
from sales.models import RateSheet
from servicetitan.api.filtersets import MIRROR_FILTER_FIELDS, MirrorFilterSet
from servicetitan.api.serializers import MIRROR_FIELDS, MirrorSerializer
from servicetitan.api.views import MirrorViewSet
from tests.api_support import client_for
from tests.factories import UserFactory
from tests.sales.test_pricing_lists import RateSheetFactory


def test_a_viewset_naming_only_its_queryset_serves_the_models_mapped_columns():
    serializer = TeamViewSet.serializer_class
    assert issubclass(serializer, MirrorSerializer) and serializer.Meta.model is Team
    # Named like a declared one: the schema's component stays `Team`.
    assert serializer.__name__ == "TeamSerializer"
    assert list(serializer().fields) == [*MIRROR_FIELDS, *Team.mapped_columns()]


def test_the_default_filterset_has_the_filters_every_mirror_shares():
    filterset = RateSheetViewSet.filterset_class
    assert issubclass(filterset, MirrorFilterSet) and filterset._meta.model is RateSheet
    assert set(MIRROR_FILTER_FIELDS) | {"modified_since", "modified_before"} <= set(filterset.base_filters)
    assert "exceptions" not in filterset.base_filters


def test_what_a_viewset_names_is_kept():
    assert CustomerViewSet.filterset_class is CustomerFilterSet
    assert CustomerViewSet.serializer_class.Meta.model is Customer
    assert MaterialViewSet.serializer_class is MaterialSerializer


def test_a_subclass_with_another_queryset_derives_its_own():
    class Teams(MirrorViewSet):
        queryset = Team.objects.all()

    class Sheets(Teams):
        queryset = RateSheet.objects.all()

    assert Teams.serializer_class.Meta.model is Team
    assert Sheets.serializer_class.Meta.model is RateSheet
    assert Sheets.filterset_class._meta.model is RateSheet


@pytest.mark.django_db
def test_the_derived_filterset_filters():
    RateSheetFactory(st_id=1, active=True)
    RateSheetFactory(st_id=2, active=False)
    client = client_for(UserFactory(is_superuser=True))
    response = client.get("/api/v1/sales/rate-sheets/", {"active": "false"})
    assert response.status_code == 200
    assert [row["st_id"] for row in response.json()["results"]] == [2]
