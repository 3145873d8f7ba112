"""Non-API routes of the integration core (the inbound webhook)."""

from django.urls import path

from servicetitan import webhooks

urlpatterns = [
    path("webhooks/servicetitan/", webhooks.servicetitan_webhook, name="servicetitan-webhook"),
    # One tenant's webhooks (its name or ServiceTitan id), checked with its own key.
    path("webhooks/servicetitan/<str:tenant>/", webhooks.servicetitan_webhook, name="servicetitan-tenant-webhook"),
]
