"""Signal receivers of the pricebook app (connected in PricebookConfig.ready)."""

from pricebook.services.groups import VIEWABLE_APPS, ensure_groups


def update_staff_groups(sender, using="default", apps=None, **kwargs):
    """After each app's migrate (its permissions exist by then), give the groups the permissions of its models."""
    if getattr(sender, "label", None) in VIEWABLE_APPS:
        ensure_groups(using=using)
