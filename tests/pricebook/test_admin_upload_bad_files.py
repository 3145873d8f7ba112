"""The admin's two uploads (the spreadsheet import of an item list, the vendor price file) under files nobody should
upload: empty, binary, wrong headers, another encoding, a number past any price, a fake Excel file. Each answers
the page again with a message, never a 500, and writes nothing."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from pricebook.models import PricebookOverride
from tests.factories import UserFactory
from tests.pricebook.factories import make_material

pytestmark = pytest.mark.django_db

BAD_FILES = {
    "empty": ("prices.csv", b""),
    "binary": ("prices.csv", bytes(range(256)) * 4),
    "wrong headers": ("prices.csv", b"foo,bar\n1,2\n"),
    "latin-1": ("prices.csv", "code,part,cost,price\nEDGE-1,P-\xe9,5,6\n".encode("latin-1")),
    "huge number": ("prices.csv", b"code,part,cost,price\nEDGE-1,P-1,1e400,99999999999999999999999999\n"),
    "not a number": ("prices.csv", b"code,part,cost,price\nEDGE-1,P-1,NaN,Infinity\n"),
    "fake xlsx": ("prices.xlsx", b"PK\x03\x04 not really a zip"),
    "unknown extension": ("prices.exe", b"MZ\x90\x00"),
}


@pytest.fixture
def superuser_client():
    client = Client(raise_request_exception=False)
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    make_material(code="EDGE-1", vendor_part="P-1")
    return client


@pytest.mark.parametrize("name", list(BAD_FILES))
def test_the_spreadsheet_import_refuses_a_bad_file_with_a_message(superuser_client, name):
    filename, content = BAD_FILES[name]
    url = reverse("admin:pricebook_material_import")
    response = superuser_client.post(url, {"item_type": "material", "file": SimpleUploadedFile(filename, content)})
    assert response.status_code == 200, response.status_code
    assert not PricebookOverride.objects.exists()


@pytest.mark.parametrize("name", list(BAD_FILES))
def test_the_vendor_price_file_refuses_a_bad_file_with_a_message(superuser_client, name):
    filename, content = BAD_FILES[name]
    url = reverse("admin:pricebook_material_vendor_costs")
    response = superuser_client.post(
        url, {"_upload": "1", "vendor": "Acme", "file": SimpleUploadedFile(filename, content)}
    )
    assert response.status_code == 200, response.status_code
    assert not PricebookOverride.objects.exists()


def test_a_cost_past_what_the_column_holds_is_an_invalid_row(superuser_client):
    url = reverse("admin:pricebook_material_vendor_costs")
    content = b"part,cost\nP-1,99999999999999999999999999\nP-1,1e400\n"
    response = superuser_client.post(
        url, {"_upload": "1", "vendor": "Acme", "file": SimpleUploadedFile("p.csv", content)}
    )
    assert response.status_code == 200
    assert response.context["counts"]["invalid"] == 2
    assert "more than a cost column holds" in response.content.decode()


@pytest.mark.parametrize("name", ["empty", "fake xlsx", "unknown extension"])
def test_a_refused_vendor_price_file_keeps_the_vendor_typed(superuser_client, name):
    filename, content = BAD_FILES[name]
    url = reverse("admin:pricebook_material_vendor_costs")
    response = superuser_client.post(
        url, {"_upload": "1", "vendor": "Acme Supply", "file": SimpleUploadedFile(filename, content)}
    )
    html = response.content.decode()
    assert response.status_code == 200 and 'id="pb-vendor-error"' in html
    assert 'name="vendor" id="id_vendor" list="pb-vendors" required value="Acme Supply"' in html


def test_a_refused_new_file_keeps_the_new_vendor_not_the_last_upload(superuser_client):
    url = reverse("admin:pricebook_material_vendor_costs")
    superuser_client.post(url, {"_upload": "1", "vendor": "Acme", "file": SimpleUploadedFile("p.csv", b"foo\n1\n")})
    response = superuser_client.post(
        url, {"_upload": "1", "vendor": "Ferguson", "file": SimpleUploadedFile("p.csv", b"")}
    )
    assert 'required value="Ferguson"' in response.content.decode()
