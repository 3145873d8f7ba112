"""The ServiceTitan API client. See `servicetitan.client.client.ServiceTitanClient`."""

from servicetitan.client.client import (
    ClientStats,
    ExportBatch,
    ListPage,
    ServiceTitanClient,
    get_client,
)
from servicetitan.client.config import ClientConfig

__all__ = ["ClientConfig", "ClientStats", "ExportBatch", "ListPage", "ServiceTitanClient", "get_client"]
