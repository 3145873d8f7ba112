"""The staff groups of INTERFACE.md: `Pricebook editors` (view everything, edit overrides) and `Viewers` (view only).

Created by a data migration and brought up to date after every `migrate` (post_migrate), so models added later get
their view permission without anyone touching the groups by hand.
"""

from __future__ import annotations

from django.apps import apps as global_apps
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS

EDITORS = "Pricebook editors"
VIEWERS = "Viewers"
# Apps whose every model staff may view: LAZI's own, and the beat schedules shown in the admin.
VIEWABLE_APPS = (*settings.LAZI_APPS, "django_celery_beat")
EDITOR_EXTRA = (
    ("pricebook", "add_pricebookoverride"),
    ("pricebook", "change_pricebookoverride"),
    ("pricebook", "delete_pricebookoverride"),
    # ServiceTitan's markup table: edited through kept-until-accepted edits (the API adds/changes tiers).
    ("pricebook", "add_markuptier"),
    ("pricebook", "change_markuptier"),
    ("pricebook", "add_markuptieredit"),
    ("pricebook", "change_markuptieredit"),
    ("pricebook", "delete_markuptieredit"),
)


def ensure_groups(apps=global_apps, using: str = DEFAULT_DB_ALIAS) -> None:
    """Create both groups if missing and add every permission they should have (never removes staff's additions)."""
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    view = Permission.objects.using(using).filter(
        content_type__app_label__in=VIEWABLE_APPS, codename__startswith="view_"
    )
    extra = [
        p
        for app_label, codename in EDITOR_EXTRA
        for p in Permission.objects.using(using).filter(content_type__app_label=app_label, codename=codename)
    ]
    viewers, _ = Group.objects.using(using).get_or_create(name=VIEWERS)
    editors, _ = Group.objects.using(using).get_or_create(name=EDITORS)
    view = list(view)
    viewers.permissions.add(*view)
    editors.permissions.add(*view, *extra)
