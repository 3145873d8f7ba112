"""Trigram indexes for the admin's and the API's search, on PostgreSQL only.

Both searches filter with `icontains`, which Django writes on PostgreSQL as `UPPER("col"::text) LIKE UPPER('%term%')`:
a btree cannot serve it, a GIN trigram index on that same expression can (pg_trgm). Each module's migration runs
`TrigramExtension()` then `AddTrigramIndexes("customer", ["name", "street", …])`. On other databases (SQLite, the
embedded default) both do nothing, so the same migrations run everywhere. The indexes are not model state: they are
an access path of one database, like the extension itself.
"""

from __future__ import annotations

import hashlib

from django.db.migrations.operations.base import Operation


def trigram_index_name(table: str, column: str) -> str:
    name = f"{table}_{column}_trgm"
    return name if len(name) <= 63 else f"{name[:54]}_{hashlib.sha256(name.encode()).hexdigest()[:8]}"


class AddTrigramIndexes(Operation):
    """`CREATE INDEX … USING gin ((UPPER(col::text)) gin_trgm_ops)` for each field, PostgreSQL only."""

    reduces_to_sql = True
    reversible = True

    def __init__(self, model_name: str, fields: list[str]):
        self.model_name = model_name
        self.fields = list(fields)

    def deconstruct(self):
        return self.__class__.__qualname__, [self.model_name, self.fields], {}

    def state_forwards(self, app_label, state):
        pass

    def _targets(self, app_label, schema_editor, state):
        model = state.apps.get_model(app_label, self.model_name)
        table = model._meta.db_table
        return [(table, model._meta.get_field(name).column) for name in self.fields]

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor != "postgresql":
            return
        qn = schema_editor.quote_name
        for table, column in self._targets(app_label, schema_editor, to_state):
            schema_editor.execute(
                f"CREATE INDEX IF NOT EXISTS {qn(trigram_index_name(table, column))} ON {qn(table)} "
                f"USING gin ((UPPER({qn(column)}::text)) gin_trgm_ops)"
            )

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor != "postgresql":
            return
        qn = schema_editor.quote_name
        for table, column in self._targets(app_label, schema_editor, from_state):
            schema_editor.execute(f"DROP INDEX IF EXISTS {qn(trigram_index_name(table, column))}")

    def describe(self):
        return f"Trigram search indexes on {self.model_name}: {', '.join(self.fields)} (PostgreSQL only)"

    @property
    def migration_name_fragment(self):
        return f"{self.model_name.lower()}_trigram"
