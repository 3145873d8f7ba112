"""The pricebook's `synced` fixture, for the pricebook benchmark's tests."""

from tests.pricebook.conftest import synced  # noqa: F401
