"""The staff group `Pricebook approvers` (approve reprice batches), and the editors' rights on rules and reprices."""

from django.contrib.auth.management import create_permissions
from django.db import migrations


def create_groups(apps, schema_editor):
    from pricebook.services.groups import ensure_groups

    # Permissions are normally created after all migrations ran; create them now so the groups get them.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0, using=schema_editor.connection.alias)
        app_config.models_module = None
    ensure_groups(apps, using=schema_editor.connection.alias)


def remove_group(apps, schema_editor):
    from pricebook.services.groups import APPROVERS

    apps.get_model("auth", "Group").objects.filter(name=APPROVERS).delete()


class Migration(migrations.Migration):
    dependencies = [("pricebook", "0004_reprice_rows")]

    operations = [migrations.RunPython(create_groups, remove_group)]
