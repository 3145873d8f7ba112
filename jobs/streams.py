from servicetitan.sync.streams import Stream

STREAMS = [
    # Reference data first: jobs and projects point at it.
    Stream("jobs.job-types", "jobs.RawJobType", "jobs.JobType"),
    Stream("jobs.job-cancel-reasons", "jobs.RawJobCancelReason", "jobs.JobCancelReason"),
    Stream("jobs.job-hold-reasons", "jobs.RawJobHoldReason", "jobs.JobHoldReason"),
    Stream("jobs.project-statuses", "jobs.RawProjectStatus", "jobs.ProjectStatus"),
    Stream(
        "jobs.project-substatuses",
        "jobs.RawProjectSubStatus",
        "jobs.ProjectSubStatus",
        depends_on=("jobs.project-statuses",),
    ),
    Stream("jobs.project-types", "jobs.RawProjectType", "jobs.ProjectType"),
    Stream("jobs.projects", "jobs.RawProject", "jobs.Project"),
    Stream("jobs.jobs", "jobs.RawJob", "jobs.Job", depends_on=("jobs.projects",)),
    Stream("jobs.appointments", "jobs.RawAppointment", "jobs.Appointment", depends_on=("jobs.jobs",)),
    Stream("jobs.job-notes", "jobs.RawJobNote", "jobs.JobNote", depends_on=("jobs.jobs",)),
]
