"""ServiceTitan's own OpenAPI specs: every request LAZI makes must be an operation in them.

The source is `shared/servicetitan-openapi/` beside the repository. These files are a copy of it, so that a clone on
its own can check the registry (`tests/servicetitan/test_registry.py`) and build the simulator's schemas; a test keeps
the copy equal to `shared/` wherever `shared/` is present. LAZI_OPENAPI_DIR points at another set (e.g. newer specs).
"""

from __future__ import annotations

import os
from pathlib import Path

VENDORED_DIR = Path(__file__).resolve().parent
SHARED_DIR = VENDORED_DIR.parents[2] / "shared" / "servicetitan-openapi"


def spec_dir() -> Path:
    """Where the specs are read from: LAZI_OPENAPI_DIR, else the copy in this package."""
    override = os.environ.get("LAZI_OPENAPI_DIR")
    return Path(override) if override else VENDORED_DIR
