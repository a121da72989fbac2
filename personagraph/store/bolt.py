"""Neo4j 5 (or any Bolt server) through the official neo4j driver.

The database name goes with every call (servers keep the last one per connection otherwise).
Read queries run in an explicit transaction that is always rolled back, and one that reports
updates is refused: some Bolt servers (ArcadeDB's) do not enforce read access mode.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from personagraph.errors import (
    QueryError,
    ReadOnlyError,
    StoreAuthError,
    StoreConflictError,
    StoreError,
    StoreUnavailableError,
)
from personagraph.redaction import redact, redact_url
from personagraph.store.base import BulkLoader, Capabilities, Row, Run
from personagraph.store.convert import Neo4jConverter
from personagraph.store.plans import bolt_plan_text

# The persona ids of nodes a result names only by element id (a relationship returned without its ends).
_END_IDS = "MATCH (n) WHERE elementId(n) IN $ids RETURN elementId(n) AS e, n.id AS id"

# The driver logs "Transaction failed and will be retried" as a warning on every transient conflict;
# with no handler configured, Python's last-resort handler printed it over the progress lines. A
# NullHandler keeps it off the terminal; records still propagate to any handler the application sets.
logging.getLogger("neo4j").addHandler(logging.NullHandler())


def _rows(tx: Any, result: Any) -> list[Row]:
    """A result's rows as plain Python, relationship ends as persona ids (looked up in the same transaction)."""
    converter = Neo4jConverter()
    rows = [{key: converter.value(value) for key, value in record.items()} for record in result]
    if converter.pending:
        found = tx.run(_END_IDS, {"ids": list(converter.pending)})
        converter.resolve({record["e"]: record["id"] for record in found})
    return rows


class BoltExecutor:
    kind = "bolt"

    def __init__(self, url: str, user: str, password: str, database: str = "personas") -> None:
        import neo4j
        from neo4j import exceptions as nx

        self.location = redact_url(url)  # shown in messages: never the password a URL may carry
        self.database = database
        try:
            self.driver = neo4j.GraphDatabase.driver(url, auth=(user, password), connection_timeout=10)
            self.driver.verify_connectivity()
            agent = self.driver.get_server_info().agent
        except nx.AuthError as exc:
            raise StoreAuthError(
                f"{self.location}: authentication failed for user {user!r}", hint="check PERSONAGRAPH_PASSWORD"
            ) from exc
        except (nx.ServiceUnavailable, OSError) as exc:
            raise StoreUnavailableError(f"{self.location}: server unreachable", hint="is it running?") from exc
        except (nx.ConfigurationError, ValueError) as exc:
            raise StoreError(f"{self.location}: {redact(str(exc))}") from exc
        # Neo4j proper offers the vector index procedures; ArcadeDB's Bolt server does not.
        # Several processes may share a server: none of the single-process shortcuts apply.
        self.capabilities = Capabilities(vector_index=agent.startswith("Neo4j/") and "ArcadeDB" not in agent)
        self.agent = agent

    def _error(self, name: str, exc: Exception) -> Exception:
        from neo4j import exceptions as nx

        if isinstance(exc, nx.ServiceUnavailable):
            return StoreUnavailableError(f"{self.location}: server unreachable")
        if isinstance(exc, nx.AuthError):
            return StoreAuthError(f"{self.location}: authentication failed")
        # A conflict by the driver's error class (after execute_write's own retries of transient ones).
        if isinstance(exc, (nx.TransientError, nx.ConstraintError)):
            return StoreConflictError(name, exc.message or str(exc))
        if isinstance(exc, nx.Neo4jError):
            return QueryError(name, exc.message or str(exc))
        return QueryError(name, str(exc))

    def read(self, cypher: str, params: dict[str, Any], *, name: str) -> list[Row]:
        import neo4j

        try:
            with self.driver.session(database=self.database, default_access_mode=neo4j.READ_ACCESS) as session:
                tx = session.begin_transaction()
                try:
                    result = tx.run(cypher, params)
                    rows = _rows(tx, result)
                    updated = result.consume().counters.contains_updates
                finally:
                    tx.rollback()
        except Exception as exc:
            raise self._error(name, exc) from exc
        if updated:
            raise ReadOnlyError(
                f"query {name} tried to write in read-only mode; nothing was changed",
                hint="pass write=True",
                param="write",
            )
        return rows

    def stream(self, cypher: str, params: dict[str, Any], *, name: str) -> Iterator[Row]:
        """A read query's rows as the driver fetches them (1,000 a time), in a transaction rolled back at the end."""
        import neo4j

        try:
            with self.driver.session(database=self.database, default_access_mode=neo4j.READ_ACCESS) as session:
                tx = session.begin_transaction()
                try:
                    result = tx.run(cypher, params)
                    for record in result:
                        converter = Neo4jConverter()
                        row = {key: converter.value(value) for key, value in record.items()}
                        if converter.pending:
                            found = tx.run(_END_IDS, {"ids": list(converter.pending)}).data()
                            converter.resolve({r["e"]: r["id"] for r in found})
                        yield row
                    updated = result.consume().counters.contains_updates
                finally:
                    tx.rollback()
        except Exception as exc:
            if not _driver_error(exc):
                raise
            raise self._error(name, exc) from exc
        if updated:
            raise ReadOnlyError(f"query {name} tried to write in read-only mode; it was rolled back")

    def plan(self, cypher: str, params: dict[str, Any], *, write: bool, name: str) -> str:
        """The plan of an ``EXPLAIN`` or ``PROFILE`` statement as text (a read is rolled back, as in ``read``)."""
        import neo4j

        try:
            mode = neo4j.WRITE_ACCESS if write else neo4j.READ_ACCESS
            with self.driver.session(database=self.database, default_access_mode=mode) as session:
                tx = session.begin_transaction()
                try:
                    summary = tx.run(cypher, params).consume()
                    if write:
                        tx.commit()
                finally:
                    if not tx.closed():
                        tx.rollback()
        except Exception as exc:
            raise self._error(name, exc) from exc
        if not write and summary.counters.contains_updates:
            raise ReadOnlyError(f"query {name} tried to write in read-only mode; nothing was changed")
        return bolt_plan_text(summary.profile or summary.plan)

    def read_columns(self, cypher: str, params: dict[str, Any], *, name: str) -> None:
        """No bulk columnar path over Bolt: the caller converts rows."""
        return None

    def write(self, cypher: str, params: dict[str, Any], *, name: str) -> list[Row]:
        def work(tx: Any) -> list[Row]:
            return _rows(tx, tx.run(cypher, params))

        try:
            with self.driver.session(database=self.database) as session:
                return list(session.execute_write(work))
        except Exception as exc:
            raise self._error(name, exc) from exc

    def transaction(self, work: Callable[[Run], Any], *, name: str) -> Any:
        """Run ``work(run)`` in one write transaction (retried whole on transient errors)."""

        def tx_work(tx: Any) -> Any:
            return work(lambda cypher, params: _rows(tx, tx.run(cypher, params)))

        try:
            with self.driver.session(database=self.database) as session:
                return session.execute_write(tx_work)
        except Exception as exc:
            if not _driver_error(exc):
                raise
            raise self._error(name, exc) from exc

    def bulk_loader(self) -> BulkLoader | None:
        return None

    def side_folder(self) -> Path | None:
        return None

    def close(self) -> None:
        self.driver.close()


def _driver_error(exc: Exception) -> bool:
    """Errors of the driver or server (mapped to StoreError); others come from ``work`` itself."""
    from neo4j import exceptions as nx

    return isinstance(exc, (nx.Neo4jError, nx.DriverError, OSError))
