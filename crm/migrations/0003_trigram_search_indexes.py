"""Trigram indexes for the admin's and the API's search (PostgreSQL only; nothing happens on SQLite)."""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

from servicetitan.search_indexes import AddTrigramIndexes


class Migration(migrations.Migration):
    dependencies = [("crm", "0002_list_order_indexes")]

    operations = [
        TrigramExtension(),
        AddTrigramIndexes("customer", ["name", "street", "city", "zip"]),
        AddTrigramIndexes("location", ["name", "street", "city", "zip"]),
        AddTrigramIndexes("contact", ["name", "title", "reference_id"]),
    ]
