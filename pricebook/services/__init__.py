"""Writes of the pricebook: overrides (edit, discard, keep mine), price changes, imports, and pushes to ServiceTitan."""
