"""The "Operators" group (view everything, run syncs), with the permissions that exist at this point."""

from django.contrib.auth.management import create_permissions
from django.db import migrations


def create_group(apps, schema_editor):
    from servicetitan.groups import ensure_operators

    # Permissions are normally created after all migrations ran; create them now so the group gets them.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0, using=schema_editor.connection.alias)
        app_config.models_module = None
    ensure_operators(apps, using=schema_editor.connection.alias)


def remove_group(apps, schema_editor):
    from servicetitan.groups import OPERATORS

    apps.get_model("auth", "Group").objects.filter(name=OPERATORS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("servicetitan", "0005_run_sync_permission"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_group, remove_group)]
