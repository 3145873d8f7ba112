"""Factories for the jobs reference data and notes (the shared ones are in tests/factories.py)."""

import factory

from jobs.models import JobCancelReason, JobHoldReason, JobNote, JobType, ProjectStatus, ProjectSubStatus, ProjectType
from tests.factories import JobFactory, MirrorFactory


class JobTypeFactory(MirrorFactory):
    class Meta:
        model = JobType

    name = factory.Sequence(lambda n: f"Job type {n}")
    priority = "Normal"
    duration = 120


class JobCancelReasonFactory(MirrorFactory):
    class Meta:
        model = JobCancelReason

    name = factory.Sequence(lambda n: f"Cancel reason {n}")


class JobHoldReasonFactory(MirrorFactory):
    class Meta:
        model = JobHoldReason

    name = factory.Sequence(lambda n: f"Hold reason {n}")


class ProjectStatusFactory(MirrorFactory):
    class Meta:
        model = ProjectStatus

    name = factory.Sequence(lambda n: f"Status {n}")


class ProjectSubStatusFactory(MirrorFactory):
    class Meta:
        model = ProjectSubStatus

    name = factory.Sequence(lambda n: f"Sub-status {n}")
    status_st_id = factory.LazyFunction(lambda: ProjectStatusFactory().st_id)


class ProjectTypeFactory(MirrorFactory):
    class Meta:
        model = ProjectType

    name = factory.Sequence(lambda n: f"Project type {n}")


class JobNoteFactory(MirrorFactory):
    class Meta:
        model = JobNote

    text = "Called the customer"
    job_st_id = factory.LazyFunction(lambda: JobFactory().st_id)


REFERENCE_FACTORIES = [
    JobTypeFactory,
    JobCancelReasonFactory,
    JobHoldReasonFactory,
    ProjectStatusFactory,
    ProjectSubStatusFactory,
    ProjectTypeFactory,
    JobNoteFactory,
]
