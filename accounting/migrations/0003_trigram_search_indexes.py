"""Trigram indexes for the admin's and the API's search (PostgreSQL only; nothing happens on SQLite)."""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

from servicetitan.search_indexes import AddTrigramIndexes


class Migration(migrations.Migration):
    dependencies = [("accounting", "0002_list_order_indexes")]

    operations = [
        TrigramExtension(),
        AddTrigramIndexes("invoice", ["number", "customer_name", "job_number"]),
        AddTrigramIndexes("payment", ["reference_number", "customer_name", "check_number", "memo"]),
    ]
