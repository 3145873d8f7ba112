"""Every list of the admin under query strings nobody should type: never a 500. A filter value the list cannot read
goes back to the list with `?e=1` (Django's "wrong filters" answer, `UnreadableQueryGuard`); an unknown page or object
id is a 404 or a redirect, not a crash."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from django.contrib import admin
from django.db import connection
from django.test import Client
from django.urls import NoReverseMatch, reverse

from tests.factories import UserFactory
from tests.pricebook.factories import make_category, make_material

pytestmark = pytest.mark.django_db

HUGE = "9" * 26
# Whatever the list: ordering, paging and search it cannot honour.
GENERIC_QUERIES = [
    {"o": "999"},
    {"o": "abc"},
    {"o": "-"},
    {"p": "-1"},
    {"p": "99999"},
    {"p": "abc"},
    {"q": "\x00"},
    {"q": "x" * 3000},
    {"margin_percent__lt": "abc"},
    {"id__in": "a,b"},
]
# Values for each of the list's own filters (its `list_filter` parameters, custom ones included).
FILTER_VALUES = ["abc", "\x00", HUGE, "nan", "inf", "1.5", "2026-13-45"]
OBJECT_IDS = ["abc", HUGE, "-1", "1.5"]


def changelist_models():
    return sorted(
        (model for model in admin.site._registry if _changelist_url(model)), key=lambda model: model._meta.label
    )


def _changelist_url(model) -> str | None:
    try:
        return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    except NoReverseMatch:
        return None


@pytest.fixture
def superuser_client():
    client = Client(raise_request_exception=False)
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    make_material(code="EDGE-1", categories=[make_category("Edges")])
    return client


def bad_queries(client, url: str) -> list[dict]:
    first = client.get(url)
    assert first.status_code == 200, f"{url}: {first.status_code}"
    changelist = first.context["cl"]
    queries = list(GENERIC_QUERIES)
    parameters = [name for spec in changelist.filter_specs for name in spec.expected_parameters()]
    queries += [{name: value} for name in parameters for value in FILTER_VALUES]
    if changelist.date_hierarchy:
        field = changelist.date_hierarchy
        queries += [
            {f"{field}__year": HUGE},
            {f"{field}__year": "2026", f"{field}__month": "13"},
            {f"{field}__year": "2026", f"{field}__month": "2", f"{field}__day": "31"},
            {f"{field}__year": "abc"},
        ]
    return queries


def assert_wrong_filters(response) -> None:
    """The admin's answer to an address it cannot read: back to the list with its "wrong filters" flag."""
    assert response.status_code == 302
    assert response["Location"].endswith("?e=1")


@pytest.mark.parametrize("model", changelist_models(), ids=lambda model: model._meta.label)
def test_no_bad_query_string_crashes_a_list(superuser_client, model):
    url = _changelist_url(model)
    answers = {}
    for query in bad_queries(superuser_client, url):
        response = superuser_client.get(url, query)
        answers[urlencode(query)[:80]] = response.status_code
        if response.status_code == 302:
            assert "e=1" in response["Location"] or response["Location"].startswith(url), response["Location"]
    crashed = {query: status for query, status in answers.items() if status not in (200, 302)}
    assert not crashed, f"{url}: {crashed}"


@pytest.mark.parametrize("model", changelist_models(), ids=lambda model: model._meta.label)
def test_no_unknown_object_id_crashes_a_detail_page(superuser_client, model):
    opts = model._meta
    crashed = {}
    for object_id in OBJECT_IDS:
        for page in ("change", "history", "delete"):
            try:
                url = reverse(f"admin:{opts.app_label}_{opts.model_name}_{page}", args=[object_id])
            except NoReverseMatch:
                continue
            status = superuser_client.get(url).status_code
            if status not in (200, 302, 403, 404):
                crashed[url] = status
    assert not crashed


@pytest.mark.parametrize(
    "parameter, values",
    [("category", ("abc", "1.5", "\x00")), ("margin_below", ("nan", "inf", "-Infinity"))],
)
def test_an_unreadable_item_filter_value_lists_nothing_instead_of_crashing(superuser_client, parameter, values):
    url = reverse("admin:pricebook_material_changelist")
    listed = superuser_client.get(url)
    assert "EDGE-1" in listed.content.decode()
    for value in values:
        response = superuser_client.get(url, {parameter: value})
        assert response.status_code == 200
        assert "EDGE-1" not in response.content.decode()


def test_a_date_drill_down_past_any_calendar_redirects_with_the_error_flag(superuser_client):
    url = reverse("admin:servicetitan_syncrun_changelist")
    response = superuser_client.get(url, {"started_at__year": HUGE})
    assert_wrong_filters(response)


@pytest.mark.parametrize(
    "query",
    [{"name__range": "abc"}, {"name__range": "ab"}, {"name__regex": "("}, {"name__iregex": "[a"}],
    ids=["range-3-chars", "range-2-chars", "regex", "iregex"],
)
def test_a_range_or_a_broken_regex_in_the_address_goes_back_with_the_error_flag(superuser_client, query):
    # Django passes these to the database unread: a range taken letter by letter, the database's regex error.
    url = reverse("admin:pricebook_material_changelist")
    response = superuser_client.get(url, query)
    assert_wrong_filters(response)


def test_a_regex_only_python_reads_goes_back_with_the_error_flag_on_postgresql(superuser_client):
    # PostgreSQL's regular expressions have no named groups; SQLite's REGEXP is Python's, which has them.
    url = reverse("admin:pricebook_material_changelist")
    response = superuser_client.get(url, {"code__regex": "(?P<code>EDGE)"})
    if connection.vendor == "postgresql":
        assert_wrong_filters(response)
    else:
        assert response.status_code == 200
        assert "EDGE-1" in response.content.decode()


def test_a_valid_regex_in_the_address_still_filters(superuser_client):
    url = reverse("admin:pricebook_material_changelist")
    response = superuser_client.get(url, {"code__regex": "^EDGE-[0-9]$"})
    assert response.status_code == 200
    assert "EDGE-1" in response.content.decode()


@pytest.mark.parametrize("selected", [["abc"], [HUGE], ["1.5", "\x00"]], ids=["text", "huge", "mixed"])
def test_an_action_on_ids_no_row_can_have_asks_for_a_selection(superuser_client, selected):
    # A hand-made (or stale, tampered) form: Django would filter by the text and crash.
    url = reverse("admin:auth_group_changelist")
    response = superuser_client.post(url, {"action": "delete_selected", "_selected_action": selected}, follow=True)
    assert response.status_code == 200
    assert "Items must be selected in order to perform actions on them" in response.content.decode()


def test_an_action_keeps_the_readable_ids_of_a_tampered_selection(superuser_client):
    from django.contrib.auth.models import Group

    group = Group.objects.create(name="Doomed")
    url = reverse("admin:auth_group_changelist")
    response = superuser_client.post(
        url, {"action": "delete_selected", "_selected_action": [str(group.pk), "abc", HUGE], "post": "yes"}
    )
    assert response.status_code == 302
    assert not Group.objects.filter(pk=group.pk).exists()


@pytest.mark.parametrize("value", [HUGE, "abc", "-" + HUGE])
def test_a_many_to_many_choice_no_row_can_have_is_a_form_error(superuser_client, value):
    # SQLite cannot bind an id past 64 bits: the group's permissions answer "not a valid value", not a 500.
    response = superuser_client.post(reverse("admin:auth_group_add"), {"name": "Edge", "permissions": [value]})
    assert response.status_code == 200
    assert "is not a valid value" in response.content.decode()


def test_text_for_a_binary_column_in_the_address_goes_back_with_the_error_flag(superuser_client):
    url = reverse("admin:pricebook_pricebookoverride_changelist")
    response = superuser_client.get(url, {"override_image_data": "abc"})
    assert_wrong_filters(response)
