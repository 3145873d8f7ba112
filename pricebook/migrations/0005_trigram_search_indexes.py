"""Trigram indexes for the admin's and the API's search (PostgreSQL only; nothing happens on SQLite)."""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

from servicetitan.search_indexes import AddTrigramIndexes


class Migration(migrations.Migration):
    dependencies = [("pricebook", "0004_list_order_indexes")]

    operations = [
        TrigramExtension(),
        AddTrigramIndexes("material", ["code", "name", "description"]),
        AddTrigramIndexes("service", ["code", "name", "description"]),
        AddTrigramIndexes("equipment", ["code", "name", "description"]),
    ]
