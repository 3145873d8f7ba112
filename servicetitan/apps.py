from django.apps import AppConfig


class ServicetitanConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "servicetitan"
    verbose_name = "ServiceTitan integration"
