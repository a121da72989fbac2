"""redaction: secrets by value (every Secret made) and by shape (URLs, Bearer, sk- keys, key=value)."""

from __future__ import annotations

import pytest

from personagraph.config import Secret
from personagraph.redaction import redact, redact_url, url_credentials


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        (
            "bolt://root:Pa55word!@127.0.0.1:7687: server unreachable",
            "bolt://root:***@127.0.0.1:7687: server unreachable",
        ),
        ("neo4j+s://neo4j:x@db.example.org", "neo4j+s://neo4j:***@db.example.org"),
        ("HTTP 400: you sent Authorization: Bearer sk-abc123def456", "HTTP 400: you sent Authorization: Bearer ***"),
        ('{"authorization": "Basic dXNlcjpwYXNz"}', '{"authorization": "***"}'),
        ("the key was Bearer eyJhbGciOi.payload.sig", "the key was Bearer ***"),
        ("plain sk-proj-ABCDEFGH12345 in a reply", "plain sk-*** in a reply"),
        ("https://api.example.org/v1?api_key=abc123&model=x", "https://api.example.org/v1?api_key=***&model=x"),
        ('{"api_key": "k-123456"}', '{"api_key": "***"}'),
        ("https://abcdefghijklmnop@host/v1", "https://***@host/v1"),
    ],
)
def test_credential_shapes_are_masked(text: str, shown: str) -> None:
    assert redact(text) == shown


@pytest.mark.parametrize(
    "text",
    [
        "password: must have at least 8 characters",
        "the Bearer of bad news",
        "bolt://127.0.0.1:7687: server unreachable",
        "query create_missing_relations: risk-averse persona",
        "",
    ],
)
def test_ordinary_messages_are_left_alone(text: str) -> None:
    assert redact(text) == text


def test_every_secret_made_is_masked_wherever_it_appears() -> None:
    Secret("Zq9-unusual-value")
    assert redact("login failed for Zq9-unusual-value (retry)") == "login failed for *** (retry)"
    assert redact("xx" + "Zq9-unusual-value" + "yy") == "xx***yy"
    Secret("ab")  # too short to mask without wrecking messages
    assert redact("ab abc") == "ab abc"


def test_urls() -> None:
    assert redact_url("bolt://root:s3cret@localhost:7687/db") == "bolt://root:***@localhost:7687/db"
    assert redact_url("http://sk-onlytoken123@h/v1") == "http://***@h/v1"
    assert redact_url("http://127.0.0.1:8000/v1") == "http://127.0.0.1:8000/v1"
    assert url_credentials("http://u:p@h/v1") and url_credentials("http://u@h") and not url_credentials("http://h/v1")
