"""Fixtures of the sales tests: staff users (the pricebook's: discounts, fees and rate sheets are edited like it)."""

import pytest

from pricebook.services.groups import EDITORS, VIEWERS
from tests.pricebook.conftest import make_staff


@pytest.fixture
def editor(db):
    return make_staff("editor", EDITORS)


@pytest.fixture
def viewer(db):
    return make_staff("viewer", VIEWERS)
