from servicetitan.sync.streams import Stream

STREAMS = [
    Stream("dispatch.business-units", "dispatch.RawBusinessUnit", "dispatch.BusinessUnit"),
    Stream("dispatch.zones", "dispatch.RawZone", "dispatch.Zone"),
    Stream("dispatch.teams", "dispatch.RawTeam", "dispatch.Team"),
    Stream("dispatch.employees", "dispatch.RawEmployee", "dispatch.Employee"),
    Stream("dispatch.technicians", "dispatch.RawTechnician", "dispatch.Technician"),
    Stream("dispatch.tag-types", "dispatch.RawTagType", "dispatch.TagType"),
    Stream("dispatch.user-roles", "dispatch.RawUserRole", "dispatch.UserRole"),
    Stream("dispatch.appointment-assignments", "dispatch.RawAppointmentAssignment", "dispatch.AppointmentAssignment"),
    Stream("dispatch.technician-shifts", "dispatch.RawTechnicianShift", "dispatch.TechnicianShift"),
    Stream("dispatch.non-job-appointments", "dispatch.RawNonJobAppointment", "dispatch.NonJobAppointment"),
]
