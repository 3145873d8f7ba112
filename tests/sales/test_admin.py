import pytest
from django.urls import reverse

from sales.models import Estimate
from tests.admin_support import check_mirror_admin, staff_client
from tests.sales.factories import EstimateFactory, EstimateItemFactory

pytestmark = pytest.mark.django_db


def test_read_only_admin():
    check_mirror_admin(EstimateFactory)


def test_estimate_items_in_the_admin_and_on_their_estimate():
    item = EstimateItemFactory(sku_name="SVC-<7>")
    EstimateItemFactory(sku_name="SVC-other")
    client = staff_client(superuser=False, groups=["Viewers"])
    estimate = Estimate.objects.get(st_id=item.estimate_st_id)
    page = client.get(reverse("admin:sales_estimate_change", args=[estimate.pk])).content.decode()
    assert "SVC-&lt;7&gt;" in page and "SVC-other" not in page
    lines = client.get(reverse("admin:sales_estimateitem_changelist"), {"estimate_st_id": estimate.st_id})
    assert lines.status_code == 200
    assert "SVC-&lt;7&gt;" in lines.content.decode() and "SVC-other" not in lines.content.decode()
    assert staff_client().get(reverse("admin:sales_estimateitem_add")).status_code == 403
