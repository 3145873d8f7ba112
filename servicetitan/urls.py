"""Non-API routes of the integration core (the inbound webhook)."""

from django.urls import path

from servicetitan import webhooks

urlpatterns = [
    path("webhooks/servicetitan/", webhooks.servicetitan_webhook, name="servicetitan-webhook"),
]
