"""`bulk.update_rows`: existing rows' columns set from dicts (one `UPDATE … FROM` on PostgreSQL, `bulk_update` else)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from pricebook.models import Category
from servicetitan.sync.bulk import update_rows

pytestmark = pytest.mark.django_db


def test_update_rows_sets_only_the_given_columns_of_the_given_rows():
    root, child, other = (Category.objects.create(tenant_id=3, st_id=n, name=f"C{n}", path="old") for n in (1, 2, 3))
    odd = "Tabs\tnew\nlines \\ and ünïcode"  # what COPY's text format must escape

    with CaptureQueriesContext(connection) as queries:
        update_rows(
            Category,
            [{"id": child.pk, "parent_id": root.pk, "depth": 1, "path": odd}, {"id": root.pk, "parent_id": None,
                                                                             "depth": 0, "path": "Root"}],
            ["parent", "depth", "path"],
        )  # fmt: skip
    if connection.vendor == "postgresql":
        assert sum(q["sql"].startswith("UPDATE") for q in queries) == 1

    rows = {c.st_id: c for c in Category.objects.all()}
    assert (rows[2].parent_id, rows[2].depth, rows[2].path, rows[2].name) == (root.pk, 1, odd, "C2")
    assert (rows[1].parent_id, rows[1].depth, rows[1].path) == (None, 0, "Root")
    assert (rows[3].depth, rows[3].path) == (0, "old")  # not named: untouched
    with CaptureQueriesContext(connection) as queries:
        update_rows(Category, [], ["path"])
    assert len(queries) == 0 and other.pk in rows[3].__class__.objects.values_list("pk", flat=True)


@pytest.mark.django_db(False)
def test_copy_escaping_is_the_translation_of_backslash_tab_newline_and_return():
    from servicetitan.sync.bulk import _escape

    # COPY's text format: the character-by-character translation the faster `replace` chain must equal.
    translation = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})

    samples = [
        "plain",
        "back\\slash",
        "literal \\n is not a newline",
        "tab\tnew\nline\rreturn\r\n",
        '{"description": "A \\"quoted\\" line\\nsecond", "name": "ünï\tcode"}',
        "\\\\\t\\\n",
        "",
    ]
    for text in samples:
        assert _escape(text) == text.translate(translation)
    assert _escape("a\\b\tc") == "a\\\\b\\tc"
