"""Images: checked by content, uploaded and attached by the push, shown through the authenticated proxy."""

from __future__ import annotations

import pytest
from django.urls import reverse

from pricebook.models import Category, Material, PricebookOverride
from pricebook.services.images import ImageRejected, check_image
from pricebook.services.overrides import save_override
from pricebook.services.push import push_overrides
from tests.pricebook.images import image_bytes

Status = PricebookOverride.Status


@pytest.mark.parametrize(
    ("fmt", "mime", "extension"),
    [
        ("PNG", "image/png", "png"),
        ("JPEG", "image/jpeg", "jpg"),
        ("GIF", "image/gif", "gif"),
        ("WEBP", "image/webp", "webp"),
    ],
)
def test_accepted_formats_are_recognised_by_content(fmt, mime, extension):
    # The name lies (always .png): the content decides the type and the extension sent to ServiceTitan.
    checked = check_image(image_bytes(fmt), "photo.png")
    assert checked.mime_type == mime
    assert checked.filename == f"photo.{extension}"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty"),
        (b"just some text, not an image", "Only JPEG, PNG, GIF or WebP"),
        (b"%PDF-1.7 a pdf", "Only JPEG, PNG, GIF or WebP"),
        (image_bytes("PNG")[:20], "damaged"),
        (b"\x89PNG\r\n\x1a\n" + b"\0" * 64, "damaged"),
        (image_bytes("BMP"), "Only JPEG, PNG, GIF or WebP"),
    ],
)
def test_bad_images_are_refused_with_a_clear_message(content, message):
    with pytest.raises(ImageRejected, match=message):
        check_image(content, "x.png")


def test_images_over_the_size_limit_are_refused(settings):
    settings.PRICEBOOK_IMAGE_MAX_BYTES = 100
    with pytest.raises(ImageRejected, match="at most 100"):
        check_image(image_bytes("PNG", size=(64, 64), color=(1, 2, 3)) + b"\0" * 200, "big.png")


def test_push_uploads_the_image_and_makes_it_the_default(synced, editor):
    material = Material.objects.filter(active=True).exclude(images=[]).first()
    before = synced.dataset.get("pricebook.materials", material.st_id)["assets"]
    content = image_bytes("PNG")
    override = save_override(
        item_type="material", st_id=material.st_id, values={}, user=editor, image=check_image(content, "new.png")
    )

    result = push_overrides([override.pk])

    assert result.synced == [override.pk]
    override.refresh_from_db()
    path = override.uploaded_image_path
    assert path.startswith("Images/")
    assert synced.stats.calls("POST", "/pricebook/v2/tenant/{tenant}/images") == 1
    assert synced.app.images[path][0] == content
    assets = synced.dataset.get("pricebook.materials", material.st_id)["assets"]
    assert [a["url"] for a in assets] == [a["url"] for a in before] + [path]
    assert [a["url"] for a in assets if a["isDefault"]] == [path]
    material.refresh_from_db()
    assert material.default_image_url == path


def test_bulk_push_attaches_images_too(synced, editor):
    items = list(Material.objects.filter(active=True).order_by("st_id")[:3])
    overrides = [
        save_override(
            item_type="material", st_id=m.st_id, values={}, user=editor, image=check_image(image_bytes("GIF"), "a.gif")
        )
        for m in items
    ]
    result = push_overrides([o.pk for o in overrides], mode="bulk")
    assert len(result.synced) == 3
    for override, material in zip(overrides, items, strict=True):
        override.refresh_from_db()
        record = synced.dataset.get("pricebook.materials", material.st_id)
        assert record["defaultAssetUrl"] == override.uploaded_image_path


def test_category_image_is_set_as_its_image(synced, editor):
    category = Category.objects.filter(active=True).first()
    override = save_override(
        item_type="category", st_id=category.st_id, values={}, user=editor, image=check_image(image_bytes(), "c.png")
    )
    push_overrides([override.pk])
    override.refresh_from_db()
    assert override.status == Status.SYNCED
    assert synced.dataset.get("pricebook.categories", category.st_id)["image"] == override.uploaded_image_path


def test_image_proxy_needs_staff_login_and_caches(synced, viewer, client):
    material = Material.objects.exclude(default_image_url="").first()
    url = f"{reverse('pricebook:servicetitan-image')}?path={material.default_image_url}"

    anonymous = client.get(url)
    assert anonymous.status_code == 302 and "/admin/login/" in anonymous["Location"]

    client.force_login(viewer)
    first = client.get(url)
    assert first.status_code == 200
    assert first["Content-Type"] == "image/png" and first.content.startswith(b"\x89PNG")
    calls = synced.stats.total
    second = client.get(url)
    assert second.status_code == 200 and second.content == first.content
    assert synced.stats.total == calls  # served from the cache

    assert client.get(f"{reverse('pricebook:servicetitan-image')}?path=Images/nope.png").status_code == 404


def test_image_cache_stays_within_its_budget(settings, monkeypatch):
    from django.core.cache import cache

    from pricebook.services import image_cache

    settings.PRICEBOOK_IMAGE_CACHE_BYTES = 1000

    monkeypatch.setattr(image_cache.images, "fetch_image", lambda client, path: (b"x" * 200, "image/png"))

    for i in range(10):
        image_cache.servicetitan_image(f"Images/{i}.png", client=object())
    kept = [i for i in range(10) if cache.get(image_cache._key(f"Images/{i}.png")) is not None]
    assert kept == [5, 6, 7, 8, 9]


def test_pending_image_is_served_to_staff_only(db, editor, client):
    from tests.pricebook.factories import make_material

    material = make_material()
    override = save_override(
        item_type="material", st_id=material.st_id, values={}, user=editor, image=check_image(image_bytes(), "p.png")
    )
    url = reverse("pricebook:override-image", args=[override.pk])
    assert client.get(url).status_code == 302
    client.force_login(editor)
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
