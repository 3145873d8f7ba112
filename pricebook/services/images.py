"""Pricebook images: checking an upload by its content (JPEG, PNG, GIF or WebP only, within the size limit), and
ServiceTitan's image operations (upload, fetch) over the client's one request path."""

from __future__ import annotations

import io
import mimetypes
from dataclasses import dataclass
from urllib.parse import urljoin

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from PIL import Image

from servicetitan.client.errors import BadResponseError

# Magic bytes -> (mime type, Pillow's format name).
_SIGNATURES = (
    (b"\xff\xd8\xff", "image/jpeg", "JPEG"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "PNG"),
    (b"GIF87a", "image/gif", "GIF"),
    (b"GIF89a", "image/gif", "GIF"),
)
EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "image/gif": "gif", "image/webp": "webp"}


class ImageRejected(ValueError):
    """The file is not an image staff may upload; the message says why, in plain words."""


@dataclass(frozen=True)
class CheckedImage:
    content: bytes
    mime_type: str
    filename: str


def max_image_bytes() -> int:
    return settings.PRICEBOOK_IMAGE_MAX_BYTES


def check_image_size(size: int) -> None:
    limit = max_image_bytes()
    if size > limit:
        raise ImageRejected(f"The image is {filesizeformat(size)}; images can be at most {filesizeformat(limit)}.")


def sniff_mime_type(content: bytes) -> tuple[str, str] | None:
    """(mime type, Pillow format) from the file's first bytes, or None when it is none of the accepted formats."""
    for magic, mime, pil_format in _SIGNATURES:
        if content.startswith(magic):
            return mime, pil_format
    if len(content) >= 12 and content[:4] == b"RIFF" and content[8:12] == b"WEBP":
        return "image/webp", "WEBP"
    return None


def check_image(content: bytes, filename: str = "") -> CheckedImage:
    """The image with its real type, or ImageRejected. The extension and the browser's type are not trusted."""
    if not content:
        raise ImageRejected("The file is empty.")
    check_image_size(len(content))
    sniffed = sniff_mime_type(content)
    if sniffed is None:
        raise ImageRejected("Only JPEG, PNG, GIF or WebP images can be uploaded; this file is none of them.")
    mime, pil_format = sniffed
    try:
        with Image.open(io.BytesIO(content)) as image:
            actual_format = image.format
            image.verify()
    except Exception as exc:  # Pillow raises many types for broken files (and DecompressionBombError).
        raise ImageRejected(
            "The file looks like an image but is damaged or incomplete; please upload it again."
        ) from exc
    if actual_format != pil_format:
        raise ImageRejected("The file's content does not match its image type; please export it again and retry.")
    stem = (filename.rsplit("/", 1)[-1].rsplit(".", 1)[0] or "image")[:100]
    return CheckedImage(content=content, mime_type=mime, filename=f"{stem}.{EXTENSIONS[mime]}")


# --- ServiceTitan's images (`pricebook.images` in the registry) -----------------------------------------------------
def upload_image(client, filename: str, content: bytes, content_type: str) -> str:
    """Upload an image to the pricebook; returns ServiceTitan's path for it ("Images/…")."""
    answer = client.call("pricebook.images", "upload", files={"file": (filename, content, content_type)})
    path = answer.get("path") if isinstance(answer, dict) else answer
    if not isinstance(path, str) or not path:
        raise BadResponseError("ServiceTitan's answer to the image upload has no path", status=201)
    return path


def fetch_image(client, path: str) -> tuple[bytes, str]:
    """An image's bytes and MIME type. ServiceTitan answers a redirect to the file, often on another host (the client
    sends no credentials there)."""
    response = client.call("pricebook.images", "download", params={"path": path}, raw=True, allow_redirects=False)
    if response.is_redirect and response.headers.get("Location"):
        response = client.get_file(urljoin(response.url, response.headers["Location"]))
    mime = response.headers.get("Content-Type", "").split(";")[0].strip()
    if not mime or mime == "application/octet-stream":
        mime = mimetypes.guess_type(path)[0] or mime or "application/octet-stream"
    return response.content, mime
