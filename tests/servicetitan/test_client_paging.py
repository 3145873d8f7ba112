"""Pagers (list and export) and the named operations: URLs, declared query parameters only, lazy pages."""

import json
from datetime import datetime, timedelta, timezone

import pytest
import responses

from servicetitan.client import ExportBatch, ListPage
from tests.servicetitan.client_support import add_tokens, api_calls, make_client, module_url, page_body, query_of

MATERIALS_URL = module_url("pricebook", "/materials")
EXPORT_URL = module_url("pricebook", "/export/materials")


@pytest.fixture(autouse=True)
def _token():
    responses.start()
    add_tokens("token-1")
    yield
    responses.stop()
    responses.reset()


def serve_pages(url: str, total: int, page_size: int):
    """A list endpoint over `total` records, answering whichever page is asked for."""

    def callback(request):
        query = query_of(type("Call", (), {"request": request}))
        page, size = int(query["page"]), int(query["pageSize"])
        start = (page - 1) * size
        items = [{"id": i} for i in range(start, min(start + size, total))]
        return 200, {}, page_body(items, page=page, has_more=start + size < total)

    responses.add_callback(responses.GET, url, callback=callback)


def test_list_pages_until_has_more_is_false_with_active_any():
    serve_pages(MATERIALS_URL, total=5, page_size=2)

    pages = list(make_client().iter_pages("pricebook.materials", page_size=2))

    assert pages == [
        ListPage(items=[{"id": 0}, {"id": 1}], page=1, has_more=True),
        ListPage(items=[{"id": 2}, {"id": 3}], page=2, has_more=True),
        ListPage(items=[{"id": 4}], page=3, has_more=False),
    ]
    assert [query_of(call) for call in api_calls()] == [
        {"page": str(n), "pageSize": "2", "active": "Any"} for n in (1, 2, 3)
    ]


def test_list_has_no_page_cap():
    serve_pages(MATERIALS_URL, total=250, page_size=1)

    pages = list(make_client().iter_pages("pricebook.materials", page_size=1))

    assert len(pages) == 250
    assert pages[-1].page == 250 and not pages[-1].has_more


def test_list_pages_are_fetched_lazily_one_at_a_time():
    serve_pages(MATERIALS_URL, total=10, page_size=2)
    pages = make_client().iter_pages("pricebook.materials", page_size=2)

    assert api_calls() == []
    first = next(pages)
    assert first.page == 1 and len(api_calls()) == 1
    second = next(pages)
    assert second.page == 2 and len(api_calls()) == 2
    pages.close()
    assert len(api_calls()) == 2


def test_list_filters_by_change_time_in_utc_and_uses_the_configured_page_size():
    serve_pages(MATERIALS_URL, total=1, page_size=5000)
    since = datetime(2025, 3, 1, 8, 30, tzinfo=timezone(timedelta(hours=-5)))

    list(make_client().iter_pages("pricebook.materials", modified_on_or_after=since))

    assert query_of(api_calls()[0]) == {
        "page": "1",
        "pageSize": "5000",
        "active": "Any",
        "modifiedOnOrAfter": "2025-03-01T13:30:00.000000Z",
    }


def test_page_size_is_capped_at_servicetitans_maximum():
    serve_pages(MATERIALS_URL, total=1, page_size=5000)
    list(make_client().iter_pages("pricebook.materials", page_size=20000))
    assert query_of(api_calls()[0])["pageSize"] == "5000"


@pytest.mark.parametrize(
    ("key", "url", "expected"),
    [
        ("dispatch.teams", module_url("dispatch", "/teams"), {"includeInactive": "true"}),
        ("accounting.invoices", module_url("accounting", "/invoices"), {"activeState": "All"}),
        ("crm.contacts", module_url("crm", "/contacts"), {}),
        ("dispatch.technicians", module_url("settings", "/technicians"), {"active": "Any"}),
    ],
)
def test_each_resource_uses_its_own_include_inactive_parameter(key, url, expected):
    serve_pages(url, total=1, page_size=5000)

    list(make_client().iter_pages(key))

    query = query_of(api_calls()[0])
    assert {k: v for k, v in query.items() if k not in ("page", "pageSize")} == expected


def test_active_only_leaves_the_parameter_out():
    serve_pages(MATERIALS_URL, total=1, page_size=5000)
    list(make_client().iter_pages("pricebook.materials", include_inactive=False))
    assert "active" not in query_of(api_calls()[0])


def test_undeclared_query_parameters_are_refused_before_any_request():
    client = make_client()

    with pytest.raises(ValueError, match="searchText"):
        next(client.iter_pages("pricebook.materials", params={"searchText": "pipe"}))
    with pytest.raises(ValueError, match="active"):
        next(client.iter_pages("crm.contacts", params={"active": "Any"}))  # contacts have no active filter
    assert api_calls() == []


def test_export_passes_continue_from_along_and_stops_when_caught_up():
    answers = [
        {"hasMore": True, "continueFrom": "token-a", "data": [{"id": 1}, {"id": 2}]},
        {"hasMore": True, "continueFrom": "token-b", "data": [{"id": 3}]},
        {"hasMore": False, "continueFrom": "token-c", "data": []},
    ]
    for answer in answers:
        responses.add(responses.GET, EXPORT_URL, json=answer)

    batches = list(make_client().iter_export("pricebook.materials"))

    assert batches == [
        ExportBatch(items=[{"id": 1}, {"id": 2}], continue_from="token-a", has_more=True),
        ExportBatch(items=[{"id": 3}], continue_from="token-b", has_more=True),
        ExportBatch(items=[], continue_from="token-c", has_more=False),
    ]
    assert [query_of(call) for call in api_calls()] == [{}, {"from": "token-a"}, {"from": "token-b"}]


def test_export_resumes_from_a_saved_token():
    responses.add(responses.GET, EXPORT_URL, json={"hasMore": False, "continueFrom": "next", "data": [{"id": 9}]})

    batches = list(make_client().iter_export("pricebook.materials", from_token="saved"))

    assert batches[-1].continue_from == "next"
    assert query_of(api_calls()[0]) == {"from": "saved"}


def test_resources_without_an_endpoint_say_so():
    client = make_client()
    with pytest.raises(ValueError, match="export"):
        next(client.iter_export("crm.contacts"))
    with pytest.raises(ValueError, match="get endpoint"):
        client.get("accounting.invoices", 1)
    with pytest.raises(ValueError, match="has no 'delete' operation"):
        client.call("pricebook.materials", "delete", st_id=1)


def test_writes_go_to_their_declared_operations():
    responses.add(responses.POST, module_url("crm", "/customers"), json={"id": 1})
    responses.add(responses.PATCH, module_url("crm", "/customers/1"), json={"id": 1, "name": "B"})
    responses.add(responses.PATCH, module_url("jpm", "/appointments/5/reschedule"), json={"id": 5})
    responses.add(responses.PATCH, module_url("pricebook", "/pricebook"), body="")
    client = make_client()

    assert client.create("crm.customers", {"name": "A"}) == {"id": 1}
    assert client.update("crm.customers", 1, {"name": "B"}) == {"id": 1, "name": "B"}
    assert client.call("jobs.appointments", "reschedule", st_id=5, json={"start": "x"}) == {"id": 5}
    assert client.call("pricebook.bulk", "update", json={"materials": []}) is None

    assert [(c.request.method, json.loads(c.request.body)) for c in api_calls()] == [
        ("POST", {"name": "A"}),
        ("PATCH", {"name": "B"}),
        ("PATCH", {"start": "x"}),
        ("PATCH", {"materials": []}),
    ]


def test_request_accepts_only_declared_operations():
    responses.add(responses.GET, module_url("crm", "/customers/3"), json={"id": 3})
    client = make_client()

    assert client.request("get", "crm.customers", "/tenant/{tenant}/customers/{id}", path_params={"id": 3}) == {"id": 3}
    with pytest.raises(ValueError, match="not an operation"):
        client.request("DELETE", "crm.customers", "/tenant/{tenant}/customers/{id}", path_params={"id": 3})
    with pytest.raises(ValueError, match="path parameter 'id'"):
        client.request("GET", "crm.customers", "/tenant/{tenant}/customers/{id}")


# --- answers that leave out what the pagers steer by ----------------------------------------------------------------
def test_a_page_without_has_more_goes_on_while_pages_are_full():
    full = json.dumps({"page": 1, "pageSize": 2, "data": [{"id": 1}, {"id": 2}]})
    short = json.dumps({"page": 2, "pageSize": 2, "hasMore": None, "data": [{"id": 3}]})
    responses.add(responses.GET, MATERIALS_URL, body=full)
    responses.add(responses.GET, MATERIALS_URL, body=short)

    pages = list(make_client().iter_pages("pricebook.materials", page_size=2))

    assert [p.items for p in pages] == [[{"id": 1}, {"id": 2}], [{"id": 3}]]
    assert [p.has_more for p in pages] == [True, False]
    assert [query_of(c)["page"] for c in api_calls()] == ["1", "2"]


def test_an_export_batch_without_continue_from_that_is_caught_up_ends_cleanly():
    responses.add(responses.GET, EXPORT_URL, json={"hasMore": False, "data": [{"id": 1}]})

    batches = list(make_client().iter_export("pricebook.materials", from_token="saved"))

    assert batches == [ExportBatch(items=[{"id": 1}], continue_from="", has_more=False)]


def test_an_export_with_more_but_no_token_stops_instead_of_starting_over():
    from servicetitan.client.errors import BadResponseError

    responses.add(responses.GET, EXPORT_URL, json={"hasMore": True, "continueFrom": None, "data": [{"id": 1}]})
    batches = make_client().iter_export("pricebook.materials", from_token="saved")

    assert next(batches).items == [{"id": 1}]  # what came is kept
    with pytest.raises(BadResponseError, match="continueFrom"):
        next(batches)
    assert len(api_calls()) == 1


def test_an_export_repeating_its_token_with_nothing_new_is_caught_up():
    responses.add(responses.GET, EXPORT_URL, json={"hasMore": True, "continueFrom": "t1", "data": [{"id": 1}]})
    responses.add(responses.GET, EXPORT_URL, json={"hasMore": True, "continueFrom": "t1", "data": []})

    batches = list(make_client().iter_export("pricebook.materials"))

    assert [b.items for b in batches] == [[{"id": 1}], []]
    assert [query_of(c) for c in api_calls()] == [{}, {"from": "t1"}]
