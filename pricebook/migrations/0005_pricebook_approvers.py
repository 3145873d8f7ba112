"""The staff group `Pricebook approvers` (approve reprice batches), and the editors' rights on rules and reprices."""

from importlib import import_module

from django.db import migrations

# The same steps as 0002: create the permissions that exist at this point, then bring the groups up to date.
staff_groups = import_module("pricebook.migrations.0002_staff_groups")


def remove_group(apps, schema_editor):
    from pricebook.services.groups import APPROVERS

    apps.get_model("auth", "Group").objects.filter(name=APPROVERS).delete()


class Migration(migrations.Migration):
    dependencies = [("pricebook", "0004_reprice_rows")]

    operations = [migrations.RunPython(staff_groups.create_groups, remove_group)]
