"""The staff groups of INTERFACE.md: `Pricebook editors` (view everything, edit overrides, create items in
ServiceTitan, write pricing rules and propose reprices), `Pricebook approvers` (the editors' rights, and approving
reprice batches) and `Viewers` (view only).

Created by a data migration and brought up to date after every `migrate` (post_migrate), so models added later get
their view permission without anyone touching the groups by hand.
"""

from __future__ import annotations

from django.apps import apps as global_apps
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS

EDITORS = "Pricebook editors"
VIEWERS = "Viewers"
APPROVERS = "Pricebook approvers"
APPROVE_PERMISSION = "pricebook.approve_repricebatch"
# Apps whose every model staff may view: LAZI's own, and the beat schedules shown in the admin.
VIEWABLE_APPS = (*settings.LAZI_APPS, "django_celery_beat")
EDITOR_EXTRA = (
    ("pricebook", "add_pricebookoverride"),
    ("pricebook", "change_pricebookoverride"),
    ("pricebook", "delete_pricebookoverride"),
    ("pricebook", "add_pricingrule"),
    ("pricebook", "change_pricingrule"),
    ("pricebook", "delete_pricingrule"),
    # Propose a reprice, and discard a proposal.
    ("pricebook", "add_repricebatch"),
    ("pricebook", "change_repricebatch"),
    # Create materials, services and equipment in ServiceTitan (the admin's "Add …" page, `POST` in the API); the
    # mirror itself stays read-only (no change/delete of its rows: items are deactivated through an override).
    ("pricebook", "add_material"),
    ("pricebook", "add_service"),
    ("pricebook", "add_equipment"),
    # ServiceTitan's markup table: edited through kept-until-accepted edits (the API adds/changes tiers).
    ("pricebook", "add_markuptier"),
    ("pricebook", "change_markuptier"),
    ("pricebook", "add_markuptieredit"),
    ("pricebook", "change_markuptieredit"),
    ("pricebook", "delete_markuptieredit"),
)
APPROVER_EXTRA = (*EDITOR_EXTRA, ("pricebook", "approve_repricebatch"))


def _permissions(Permission, using: str, pairs) -> list:
    return [
        p
        for app_label, codename in pairs
        for p in Permission.objects.using(using).filter(content_type__app_label=app_label, codename=codename)
    ]


def ensure_groups(apps=global_apps, using: str = DEFAULT_DB_ALIAS) -> None:
    """Create the groups if missing and add every permission they should have (never removes staff's additions)."""
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    view = Permission.objects.using(using).filter(
        content_type__app_label__in=VIEWABLE_APPS, codename__startswith="view_"
    )
    viewers, _ = Group.objects.using(using).get_or_create(name=VIEWERS)
    editors, _ = Group.objects.using(using).get_or_create(name=EDITORS)
    approvers, _ = Group.objects.using(using).get_or_create(name=APPROVERS)
    view = list(view)
    viewers.permissions.add(*view)
    editors.permissions.add(*view, *_permissions(Permission, using, EDITOR_EXTRA))
    approvers.permissions.add(*view, *_permissions(Permission, using, APPROVER_EXTRA))
