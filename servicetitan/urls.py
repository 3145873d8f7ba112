"""Non-API routes of the integration core (inbound webhooks, image proxy)."""

urlpatterns = []
