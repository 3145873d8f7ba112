from django.apps import AppConfig
from django.db.models.signals import post_migrate


class ServicetitanConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "servicetitan"
    verbose_name = "ServiceTitan integration"

    def ready(self):
        from servicetitan.groups import update_operators

        post_migrate.connect(update_operators, dispatch_uid="servicetitan.update_operators")
