"""Issue #15's probe through the CLI (in process), over Bolt: `query` without --write refuses and changes nothing."""

from __future__ import annotations

import pytest

from personagraph.store import open_store
from personagraph.store.schema_watch import schema_of
from tests.cli_in_process import run_cli
from tests.conftest import BoltServer, cli_env

PROBE = [
    ("CALL do.when(true, 'DROP CONSTRAINT persona_id', '', {}) YIELD value RETURN value", "do.when"),
    ("WITH '//' AS a CREATE (:Marker)", "CREATE"),
    ("WITH '//' AS a LOAD CSV FROM 'file:///etc/hostname' AS row RETURN row", "LOAD CSV"),
]


@pytest.mark.bolt
@pytest.mark.parametrize(("cypher", "named"), PROBE)
def test_query_without_write_refuses_the_probe_over_bolt(bolt_server: BoltServer, cypher: str, named: str) -> None:
    with open_store(bolt_server.url, bolt_server.settings()) as store:
        before = schema_of(store)
    result = run_cli(
        ["--store", bolt_server.url, "query", cypher],
        env=cli_env(
            PERSONAGRAPH_USER=bolt_server.user,
            PERSONAGRAPH_PASSWORD=bolt_server.password,
            PERSONAGRAPH_DATABASE=bolt_server.database,
        ),
    )
    assert result.returncode == 4, result.stderr
    assert result.stderr.startswith("error: ") and named in result.stderr and "--write" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    with open_store(bolt_server.url, bolt_server.settings()) as store:
        assert schema_of(store) == before
        assert "persona_id" in {entry[0] for entry in before.constraints}
