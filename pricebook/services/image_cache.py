"""ServiceTitan's images for the admin's thumbnails, fetched once and kept in the Django cache within a byte budget."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.cache import cache

from pricebook.services import images

KEY_PREFIX = "pricebook:st-image:"
INDEX_KEY = "pricebook:st-image:index"


def cache_budget() -> int:
    """Bytes of images kept at most (the oldest go first)."""
    return settings.PRICEBOOK_IMAGE_CACHE_BYTES


def cache_seconds() -> int:
    return settings.PRICEBOOK_IMAGE_CACHE_SECONDS


def _key(path: str) -> str:
    return KEY_PREFIX + hashlib.sha256(path.encode()).hexdigest()


def servicetitan_image(path: str, *, client=None) -> tuple[bytes, str]:
    """The image at ServiceTitan's `path` as (bytes, mime type), from the cache when there."""
    key = _key(path)
    hit = cache.get(key)
    if hit is not None:
        return hit
    if client is None:
        from servicetitan.client import get_client

        client = get_client()
    content, mime = images.fetch_image(client, path)
    _remember(key, content, mime)
    return content, mime


def _remember(key: str, content: bytes, mime: str) -> None:
    budget = cache_budget()
    size = len(content)
    if size > budget // 4:
        return  # one huge image would evict everything else
    cache.set(key, (content, mime), cache_seconds())
    # A small index (key, size) in insertion order bounds the total; racing writers may overshoot briefly.
    index = [entry for entry in cache.get(INDEX_KEY) or [] if entry[0] != key]
    index.append((key, size))
    total = sum(entry[1] for entry in index)
    while total > budget and index:
        old_key, old_size = index.pop(0)
        cache.delete(old_key)
        total -= old_size
    cache.set(INDEX_KEY, index, cache_seconds())
