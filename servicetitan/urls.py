"""Non-API routes of the integration core (inbound webhooks, image proxy)."""

from django.urls import include, path

from servicetitan import webhooks

urlpatterns = [
    path("webhooks/servicetitan/", webhooks.servicetitan_webhook, name="servicetitan-webhook"),
    # The pricebook's authenticated image proxy for the admin (/pricebook/images/?path=…).
    path("", include("pricebook.urls")),
]
