from django.apps import AppConfig


class PricebookConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "pricebook"
    verbose_name = "Pricebook"
