"""A thin HTTP helper for the simulator's own tests: real requests, the demo credentials, no LAZI client."""

from __future__ import annotations

import requests

from devtools.simulator import DEMO_APP_KEY, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEMO_TENANT_ID
from servicetitan.registry import get_resource


class Api:
    def __init__(self, server, tenant: int = DEMO_TENANT_ID):
        self.server = server
        self.tenant = tenant
        self.http = requests.Session()
        self.token = None

    def fetch_token(self, client_id=DEMO_CLIENT_ID, client_secret=DEMO_CLIENT_SECRET) -> requests.Response:
        response = self.http.post(
            f"{self.server.url}/connect/token",
            data={"grant_type": "client_credentials", "client_id": client_id, "client_secret": client_secret},
        )
        if response.status_code == 200:
            self.token = response.json()["access_token"]
        return response

    def headers(self) -> dict:
        if self.token is None:
            self.fetch_token()
        return {"Authorization": f"Bearer {self.token}", "ST-App-Key": DEMO_APP_KEY}

    def url(self, key: str, path: str, record_id=None) -> str:
        resource = get_resource(key)
        path = path.replace("{tenant}", str(self.tenant))
        if record_id is not None:
            path = path.replace("{id}", str(record_id))
        return f"{self.server.url}{resource.prefix}{path}"

    def call(self, method: str, url: str, **kwargs) -> requests.Response:
        headers = {**self.headers(), **kwargs.pop("headers", {})}
        return self.http.request(method, url, headers=headers, allow_redirects=False, **kwargs)

    def list(self, key: str, **params) -> requests.Response:
        return self.call("GET", self.url(key, get_resource(key).list_path), params=params)

    def list_all(self, key: str, **params) -> list[dict]:
        records, page = [], 1
        while True:
            body = self.list(key, page=page, pageSize=5000, **params).json()
            records += body["data"]
            if not body["hasMore"]:
                return records
            page += 1

    def get(self, key: str, record_id) -> requests.Response:
        return self.call("GET", self.url(key, get_resource(key).get_path, record_id))

    def export(self, key: str, token: str | None = None) -> requests.Response:
        params = {"from": token} if token else {}
        return self.call("GET", self.url(key, get_resource(key).export_path), params=params)

    def export_all(self, key: str, token: str | None = None) -> tuple[list[dict], str]:
        """Every batch until caught up: (records, the last continueFrom)."""
        records = []
        while True:
            body = self.export(key, token).json()
            records += body["data"]
            token = body["continueFrom"]
            if not body["hasMore"]:
                return records, token

    def write(self, key: str, name: str, record_id=None, **kwargs) -> requests.Response:
        op = get_resource(key).writes[name]
        return self.call(op.method, self.url(key, op.path, record_id), **kwargs)


def schema_errors(api_module: str, schema_name: str, body) -> list[str]:
    """Validation errors of `body` against a named component schema of a module's spec (via the snapshot)."""
    import jsonschema

    from devtools.simulator.spec import json_schema_document

    validator = _validators.get((api_module, schema_name))
    if validator is None:
        validator = jsonschema.Draft202012Validator(json_schema_document(api_module, schema_name))
        _validators[(api_module, schema_name)] = validator
    errors = sorted(validator.iter_errors(body), key=lambda e: list(e.absolute_path))
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in errors[:5]]


_validators: dict = {}
