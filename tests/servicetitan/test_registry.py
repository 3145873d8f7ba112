"""Every operation in servicetitan/registry.py exists in ServiceTitan's OpenAPI specs, with only their parameters.

The specs are read from `servicetitan/openapi/` (a copy of `shared/servicetitan-openapi/`, kept equal to it here;
LAZI_OPENAPI_DIR overrides). Without them this test fails: it is the only guard that LAZI never calls an endpoint or
parameter ServiceTitan lacks.
"""

import functools
import json
import re

import pytest

from servicetitan import openapi
from servicetitan.registry import RESOURCES, Operation, Resource


@functools.cache
def load_spec(file_name: str) -> dict:
    path = openapi.spec_dir() / file_name
    if not path.is_file():
        pytest.fail(f"ServiceTitan OpenAPI spec {path} is missing: set LAZI_OPENAPI_DIR to the specs' directory")
    return json.loads(path.read_text())


def resolve(spec: dict, node: dict) -> dict:
    while "$ref" in node:
        target = spec
        for part in node["$ref"].lstrip("#/").split("/"):
            target = target[part]
        node = target
    return node


def spec_operation(spec: dict, operation: Operation) -> tuple[str, dict] | None:
    """The spec's (path, operation) for a registry operation; path placeholders must match by name too."""
    path_item = spec["paths"].get(operation.path)
    if path_item is None:
        return None
    found = path_item.get(operation.method.lower())
    return (operation.path, found) if found is not None else None


def query_parameters(spec: dict, path: str, found: dict) -> set[str]:
    shared = spec["paths"][path].get("parameters", [])
    return {
        p["name"] for p in (resolve(spec, raw) for raw in [*shared, *found.get("parameters", [])]) if p["in"] == "query"
    }


def response_schema(spec: dict, found: dict) -> dict:
    for status in ("200", "201"):
        content = found.get("responses", {}).get(status, {}).get("content", {})
        for media in content.values():
            return resolve(spec, media.get("schema", {}))
    return {}


CASES = [
    pytest.param(resource, name, operation, id=f"{resource.key}:{name}")
    for resource in RESOURCES.values()
    for name, operation in [
        *(("list", resource.list_operation),),
        *(("get", resource.get_operation),),
        *(("export", resource.export_operation),),
        *resource.writes.items(),
    ]
    if operation is not None
]


def test_the_vendored_specs_are_the_shared_ones():
    if not openapi.SHARED_DIR.is_dir():
        pytest.skip(f"{openapi.SHARED_DIR} is not beside this clone: nothing to compare the copy with")
    shared = {path.name: path.read_bytes() for path in openapi.SHARED_DIR.glob("*.json")}
    vendored = {path.name: path.read_bytes() for path in openapi.VENDORED_DIR.glob("*.json")}
    assert shared == vendored, "servicetitan/openapi/ differs from shared/servicetitan-openapi/: copy the specs again"


def test_specs_directory_is_present():
    directory = openapi.spec_dir()
    assert directory.is_dir(), f"{directory} is missing: set LAZI_OPENAPI_DIR to ServiceTitan's OpenAPI specs"
    needed = {resource.spec_file for resource in RESOURCES.values()}
    assert needed <= {path.name for path in directory.glob("*.json")}


@pytest.mark.parametrize(("resource", "name", "operation"), CASES)
def test_operation_exists_in_the_spec_with_its_query_parameters(resource: Resource, name: str, operation: Operation):
    spec = load_spec(resource.spec_file)
    assert spec_operation(spec, operation) is not None, (
        f"{resource.key} {name}: {operation.method} {operation.path} is not in {resource.spec_file}"
    )
    path, found = spec_operation(spec, operation)

    declared = query_parameters(spec, path, found)
    assert set(operation.query) <= declared, (
        f"{resource.key} {name}: {sorted(set(operation.query) - declared)} not parameters of {operation.method} "
        f"{path} (it has {sorted(declared)})"
    )
    placeholders = set(re.findall(r"{(\w+)}", operation.path))
    # An overridable kind's update may name its id otherwise (`rateSheetId`): the push fills it from the kind.
    from pricebook.models import ITEM_KINDS

    filled = {"tenant", "id"} | {k.id_param for k in ITEM_KINDS.values() if k.resource_key == resource.key}
    assert placeholders <= filled, f"{resource.key} {name}: the client fills only {sorted(filled)}"


def test_spec_servers_match_the_module_prefix():
    for resource in RESOURCES.values():
        servers = [server["url"] for server in load_spec(resource.spec_file).get("servers", [])]
        assert all(url.endswith(resource.prefix) for url in servers), (resource.key, servers)


@pytest.mark.parametrize("resource", [r for r in RESOURCES.values() if r.list_path], ids=lambda r: r.key)
def test_list_endpoints_page_and_filter_as_the_client_expects(resource: Resource):
    spec = load_spec(resource.spec_file)
    _, found = spec_operation(spec, resource.list_operation)
    assert {"page", "pageSize"} <= set(resource.list_query)
    if resource.include_inactive:
        assert resource.include_inactive[0] in resource.list_query
    if resource.modified_filter:
        assert resource.modified_filter in resource.list_query
    assert {"page", "pageSize", "hasMore", "data"} <= set(response_schema(spec, found).get("properties", {}))


@pytest.mark.parametrize("resource", [r for r in RESOURCES.values() if r.export_path], ids=lambda r: r.key)
def test_export_endpoints_answer_continuation_batches(resource: Resource):
    spec = load_spec(resource.spec_file)
    _, found = spec_operation(spec, resource.export_operation)
    assert {"hasMore", "continueFrom", "data"} <= set(response_schema(spec, found).get("properties", {}))


@pytest.mark.parametrize(
    ("resource", "operation"),
    [(r, op) for r in RESOURCES.values() for op in r.writes.values() if op.multipart],
    ids=lambda value: getattr(value, "key", getattr(value, "path", "")),
)
def test_uploads_send_the_file_part_the_spec_names(resource: Resource, operation: Operation):
    spec = load_spec(resource.spec_file)
    _, found = spec_operation(spec, operation)
    schemas = [resolve(spec, media.get("schema", {})) for media in found["requestBody"]["content"].values()]
    assert any("file" in schema.get("properties", {}) for schema in schemas)
