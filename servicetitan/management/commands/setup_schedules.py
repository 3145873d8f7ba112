"""`setup_schedules`: create the default beat schedules that are missing; existing ones keep staff's edits."""

from django.core.management.base import BaseCommand

from servicetitan.sync.schedules import setup_schedules


class Command(BaseCommand):
    help = "Create or update the default Celery beat schedules by name, keeping staff edits (timing, enabled)."

    def handle(self, *args, **options):
        for name, created in setup_schedules():
            self.stdout.write(f"{'created' if created else 'kept   '} {name}")
