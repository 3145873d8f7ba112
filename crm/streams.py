from servicetitan.sync.streams import Stream

STREAMS = [
    Stream("crm.customers", "crm.RawCustomer", "crm.Customer"),
    Stream("crm.locations", "crm.RawLocation", "crm.Location", depends_on=("crm.customers",)),
    Stream("crm.contacts", "crm.RawContact", "crm.Contact"),
    Stream("crm.customer-contacts", "crm.RawCustomerContact", "crm.CustomerContact", depends_on=("crm.customers",)),
    Stream("crm.bookings", "crm.RawBooking", "crm.Booking"),
    Stream("crm.leads", "crm.RawLead", "crm.Lead"),
]
