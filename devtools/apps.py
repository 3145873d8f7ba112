from django.apps import AppConfig


class DevtoolsConfig(AppConfig):
    name = "devtools"
    verbose_name = "LAZI dev tools (simulator, benchmarks)"
