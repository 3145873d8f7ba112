from django.apps import AppConfig
from django.db.models.signals import post_migrate


class PricebookConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "pricebook"
    verbose_name = "Pricebook"

    def ready(self):
        from pricebook.signals import update_staff_groups

        post_migrate.connect(update_staff_groups, dispatch_uid="pricebook.update_staff_groups")
