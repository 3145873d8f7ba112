"""A local ServiceTitan stand-in: token endpoint, list / get / export for every registry resource, pricebook and CRM
writes, images, faults, a request budget and data changes on request. See `docs/architecture.md` and the
"Simulator" contract; `python manage.py st_simulator` runs it.
"""

from devtools.simulator.constants import DEMO_APP_KEY, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEMO_TENANT_ID
from devtools.simulator.dataset import Dataset
from devtools.simulator.faults import FaultConfig
from devtools.simulator.server import SimulatorServer

__all__ = [
    "DEMO_APP_KEY",
    "DEMO_CLIENT_ID",
    "DEMO_CLIENT_SECRET",
    "DEMO_TENANT_ID",
    "Dataset",
    "FaultConfig",
    "SimulatorServer",
]
