"""Trigram indexes for the admin's and the API's search (PostgreSQL only; nothing happens on SQLite)."""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

from servicetitan.search_indexes import AddTrigramIndexes


class Migration(migrations.Migration):
    dependencies = [("inventory", "0002_list_order_indexes")]

    operations = [
        TrigramExtension(),
        AddTrigramIndexes("adjustment", ["number", "reference_number", "memo"]),
        AddTrigramIndexes("purchaseorder", ["number", "vendor_document_number", "summary"]),
    ]
