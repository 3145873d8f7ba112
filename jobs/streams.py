from servicetitan.sync.streams import Stream

STREAMS = [
    Stream("jobs.projects", "jobs.RawProject", "jobs.Project"),
    Stream("jobs.jobs", "jobs.RawJob", "jobs.Job", depends_on=("jobs.projects",)),
    Stream("jobs.appointments", "jobs.RawAppointment", "jobs.Appointment", depends_on=("jobs.jobs",)),
]
