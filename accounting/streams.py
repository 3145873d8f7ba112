from servicetitan.sync.streams import Stream

STREAMS = [
    Stream("accounting.invoices", "accounting.RawInvoice", "accounting.Invoice"),
    Stream("accounting.payments", "accounting.RawPayment", "accounting.Payment"),
]
