"""Job and appointment writes: through ServiceTitan first, then into the mirror from ServiceTitan's answer.

Bodies are ServiceTitan's (camelCase), as `servicetitan.api.serializers.ServiceTitanBodySerializer` produces them.
"""

from __future__ import annotations

import logging

from jobs.models import Appointment, Job
from servicetitan.client import get_client
from servicetitan.client.errors import ServiceTitanError
from servicetitan.writethrough import store_answers, write_through

logger = logging.getLogger(__name__)


def create_job(body: dict) -> Job:
    """Creates a job with its appointments; the job, and its first and last appointments, are mirrored at once."""
    client = get_client()
    job = write_through("jobs.jobs", lambda c: c.create("jobs.jobs", body), client=client)
    appointment_ids = {job.first_appointment_st_id, job.last_appointment_st_id} - {None, 0}
    try:
        appointments = [client.get("jobs.appointments", st_id) for st_id in sorted(appointment_ids)]
    except ServiceTitanError as exc:
        # The job exists in ServiceTitan: failing the request now would invite a duplicate. The next sync brings them.
        logger.warning("job %s created; its appointments were not read back: %s", job.st_id, exc)
    else:
        store_answers("jobs.appointments", appointments, client.tenant_id)
    return job


def update_job(job: Job, changes: dict) -> Job:
    return write_through("jobs.jobs", lambda client: client.update("jobs.jobs", job.st_id, changes))


def cancel_job(job: Job, body: dict) -> Job:
    """Cancels a job (`{reasonId, memo}`); ServiceTitan answers without the job, so it is read back."""
    return write_through(
        "jobs.jobs",
        lambda client: client.call("jobs.jobs", "cancel", st_id=job.st_id, json=body),
        read_back_id=job.st_id,
    )


def hold_job(job: Job, body: dict) -> Job:
    """Puts a job on hold (`{reasonId, memo}`); read back like a cancel."""
    return write_through(
        "jobs.jobs",
        lambda client: client.call("jobs.jobs", "hold", st_id=job.st_id, json=body),
        read_back_id=job.st_id,
    )


def create_appointment(body: dict) -> Appointment:
    return write_through("jobs.appointments", lambda client: client.create("jobs.appointments", body))


def reschedule_appointment(appointment: Appointment, body: dict) -> Appointment:
    return write_through(
        "jobs.appointments",
        lambda client: client.call("jobs.appointments", "reschedule", st_id=appointment.st_id, json=body),
    )
