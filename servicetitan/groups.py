"""The "Operators" group: view everything staff may view, and run syncs (`servicetitan.run_sync`): the admin's
sync buttons need that permission, not just staff status; the API's `POST /api/v1/sync/` takes staff status or it
(a non-staff service account runs syncs through the group).

Created by a data migration and brought up to date after every `migrate` (post_migrate), like the pricebook's groups.
"""

from __future__ import annotations

from django.apps import apps as global_apps
from django.db import DEFAULT_DB_ALIAS

OPERATORS = "Operators"
RUN_SYNC = "servicetitan.run_sync"


def ensure_operators(apps=global_apps, using: str = DEFAULT_DB_ALIAS) -> None:
    """Create the group if missing and add the permissions it should have (never removes staff's additions)."""
    from pricebook.services.groups import VIEWABLE_APPS

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permissions = Permission.objects.using(using).filter(
        content_type__app_label__in=VIEWABLE_APPS, codename__startswith="view_"
    )
    run = Permission.objects.using(using).filter(content_type__app_label="servicetitan", codename="run_sync")
    operators, _ = Group.objects.using(using).get_or_create(name=OPERATORS)
    operators.permissions.add(*permissions, *run)


def update_operators(sender, using=DEFAULT_DB_ALIAS, **kwargs) -> None:
    """post_migrate, after each app's migrate (its permissions exist by then): keep the group's permissions complete."""
    from pricebook.services.groups import VIEWABLE_APPS

    if getattr(sender, "label", None) in VIEWABLE_APPS:
        ensure_operators(using=using)
