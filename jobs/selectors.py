"""Reads of the jobs mirror that more than one place needs (the API and the admin)."""

from __future__ import annotations

from django.db.models import QuerySet

from jobs.models import JobCancelReason, JobHoldReason

# What a job write takes a reason for, and where the reasons are mirrored.
REASONS = {"cancel": JobCancelReason, "hold": JobHoldReason}


def usable_reasons(kind: str, tenant_id: int) -> QuerySet:
    """The reasons staff may choose for a job `cancel` or `hold`: the tenant's active, not deleted ones, by name."""
    return REASONS[kind].objects.filter(tenant_id=tenant_id, active=True, deleted=False).order_by("name", "st_id")


def usable_reason(kind: str, tenant_id: int, st_id: int):
    """That reason if staff may choose it, else None."""
    return usable_reasons(kind, tenant_id).filter(st_id=st_id).first()
