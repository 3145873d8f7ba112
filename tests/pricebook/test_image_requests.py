"""ServiceTitan's image operations (`pricebook.services.images`) over the client's request path: the multipart
upload, and the fetch that follows ServiceTitan's redirect without credentials to another host."""

import pytest
import responses

from pricebook.services import images
from tests.servicetitan.client_support import API, api_calls, make_client, module_url, query_of, token_one  # noqa: F401

pytestmark = pytest.mark.usefixtures("token_one")


def test_upload_image_sends_a_multipart_file_part():
    responses.add(responses.POST, module_url("pricebook", "/images"), status=201, json={"path": "Images/abc.png"})

    path = images.upload_image(make_client(), "pipe.png", b"\x89PNG-bytes", "image/png")

    assert path == "Images/abc.png"
    request = api_calls()[0].request
    assert request.headers["Content-Type"].startswith("multipart/form-data")
    assert b'name="file"; filename="pipe.png"' in request.body
    assert b"\x89PNG-bytes" in request.body


def test_fetch_image_follows_the_redirect_without_credentials_to_another_host():
    storage = "https://storage.example.net/images/abc.png?sig=1"
    responses.add(responses.GET, module_url("pricebook", "/images"), status=302, headers={"Location": storage})
    responses.add(responses.GET, storage, body=b"PNGDATA", content_type="image/png")

    content, mime = images.fetch_image(make_client(), "Images/abc.png")

    assert (content, mime) == (b"PNGDATA", "image/png")
    first, second = responses.calls[1], responses.calls[2]
    assert query_of(first) == {"path": "Images/abc.png"}
    assert "Authorization" not in second.request.headers
    assert "ST-App-Key" not in second.request.headers


def test_fetch_image_on_the_api_host_keeps_credentials_and_guesses_the_type():
    file_url = f"{API}/files/abc.jpg"
    responses.add(responses.GET, module_url("pricebook", "/images"), status=302, headers={"Location": "/files/abc.jpg"})
    responses.add(responses.GET, file_url, body=b"JPG", content_type="application/octet-stream")

    content, mime = images.fetch_image(make_client(), "Images/abc.jpg")

    assert (content, mime) == (b"JPG", "image/jpeg")
    assert responses.calls[2].request.headers["Authorization"] == "Bearer token-1"


def test_a_file_on_the_api_host_redirecting_to_storage_gets_no_app_key_there():
    file_url = f"{API}/files/abc.png"
    storage = "https://storage.example.net/signed/abc.png?sig=2"
    responses.add(responses.GET, module_url("pricebook", "/images"), status=302, headers={"Location": "/files/abc.png"})
    responses.add(responses.GET, file_url, status=307, headers={"Location": storage})
    responses.add(responses.GET, storage, body=b"PNGDATA", content_type="image/png")

    content, mime = images.fetch_image(make_client(), "Images/abc.png")

    assert (content, mime) == (b"PNGDATA", "image/png")
    on_api, on_storage = responses.calls[2].request, responses.calls[3].request
    assert on_api.headers["ST-App-Key"] and on_api.headers["Accept"] == "*/*"
    assert "ST-App-Key" not in on_storage.headers and "Authorization" not in on_storage.headers


def test_a_redirect_loop_ends_with_a_clear_error():
    from servicetitan.client.errors import BadResponseError

    loop = "https://storage.example.net/loop"
    responses.add(responses.GET, module_url("pricebook", "/images"), status=302, headers={"Location": loop})
    responses.add(responses.GET, loop, status=302, headers={"Location": loop})

    with pytest.raises(BadResponseError, match="redirects"):
        images.fetch_image(make_client(), "Images/abc.png")
