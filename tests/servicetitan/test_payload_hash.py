"""The page write serialises and hashes a payload in one pass: the same text and hash as `canonical_json` and
`payload_hash` (rows written before keep matching, so unchanged records stay skipped)."""

import pytest

from servicetitan.sync.upsert import canonical_json, canonical_json_and_hash, payload_hash


@pytest.mark.parametrize(
    "payload",
    [
        {"b": 1, "a": "é ✓", "n": None, "f": 1.5},
        {"nested": [{"z": 1, "y": [2, 3]}], "t": "tab\there"},
        {"beyond 64 bits": 2**70, "a": 1},  # orjson refuses it: the fallback encoder
    ],
)
def test_one_pass_gives_the_same_text_and_hash(payload):
    text, digest = canonical_json_and_hash(payload)

    assert (text, digest) == (canonical_json(payload), payload_hash(payload))
    assert len(digest) == 40


def test_the_hash_ignores_key_order():
    assert canonical_json_and_hash({"a": 1, "b": 2})[1] == canonical_json_and_hash({"b": 2, "a": 1})[1]
