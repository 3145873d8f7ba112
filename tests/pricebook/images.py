"""Real image files made with Pillow, for upload tests."""

import io

from PIL import Image


def image_bytes(fmt: str = "PNG", size=(8, 8), color=(200, 30, 30)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, format=fmt)
    return buffer.getvalue()
