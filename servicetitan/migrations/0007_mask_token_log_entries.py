"""The admin's log named API tokens by their key (shown on the start page's "Recent actions" and each token's history):
the entries written before the key was masked get the masked name (`servicetitan.admin.masked_token_text`)."""

import re

from django.db import migrations

KEY = re.compile(r"[0-9a-f]{40}")


def mask(apps, schema_editor):
    LogEntry = apps.get_model("admin", "LogEntry")
    entries = LogEntry.objects.using(schema_editor.connection.alias).filter(content_type__app_label="authtoken")
    for entry in entries.iterator():
        if KEY.fullmatch(entry.object_repr):
            entry.object_repr = f"{entry.object_repr[:4]}…"
            entry.save(update_fields=["object_repr"])


class Migration(migrations.Migration):
    dependencies = [
        ("servicetitan", "0006_operators_group"),
        ("admin", "0003_logentry_add_action_flag_choices"),
        ("authtoken", "0004_alter_tokenproxy_options"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(mask, migrations.RunPython.noop)]
