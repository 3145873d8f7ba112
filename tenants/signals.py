"""A tenant's beat schedules follow it: created when it is added or reactivated (once the deployment has schedules,
i.e. `setup_schedules` ran), removed when it is deactivated or deleted, so beat syncs every active tenant and no
other."""

from __future__ import annotations

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from tenants.models import Tenant


@receiver(post_save, sender=Tenant, dispatch_uid="tenants.schedules.saved")
def tenant_saved(sender, instance: Tenant, raw=False, **kwargs):
    if raw:
        return
    from servicetitan.sync.schedules import TASK, remove_tenant_schedules, setup_schedules, tenant_schedules

    if not instance.active:
        remove_tenant_schedules(instance.st_tenant_id)
        return
    from django_celery_beat.models import PeriodicTask

    if PeriodicTask.objects.filter(task=TASK).exists():
        setup_schedules(tenant_schedules(instance))


@receiver(post_delete, sender=Tenant, dispatch_uid="tenants.schedules.deleted")
def tenant_deleted(sender, instance: Tenant, **kwargs):
    from servicetitan.sync.schedules import remove_tenant_schedules

    remove_tenant_schedules(instance.st_tenant_id)
