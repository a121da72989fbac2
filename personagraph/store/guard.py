"""The read-only guard: what in a user's Cypher could write, found on tokens before it runs.

A statement that runs without ``--write`` is refused when, outside strings and comments, it has
a write clause or schema/admin command (CREATE, MERGE, SET, DELETE, …, DROP, ALTER, GRANT, …),
LOAD CSV (it reads files on the server), or a CALL to a procedure that is not on the read-only
list below (``do.when``, ``refactor.mergeNodes`` and their kind write from their arguments).
Keywords are compared after Unicode folding (see ``cypher_lexer.fold``), so a full-width or
mathematical-letter spelling is refused as well, though no server reads it as a keyword.

The guard is the first of three locks: Bolt reads also run in a READ-mode transaction that is
rolled back (Neo4j enforces the mode; ArcadeDB's Bolt server does not), and ``schema_watch``
compares the schema before and after each read (ArcadeDB applies some DDL outside the rollback).
"""

from __future__ import annotations

from dataclasses import dataclass

from personagraph.errors import ReadOnlyError
from personagraph.store.cypher_lexer import NAME, SYMBOL, WORD, Token, keyword_forms, position, tokens

# Keyword -> what the refusal names. Clauses that write data, schema and admin commands.
_CLAUSES = (
    "create merge set delete detach nodetach remove foreach insert drop alter rename grant deny revoke terminate "
    "deallocate reallocate enable destroy"
)
WRITE_KEYWORDS = {word: word.upper() for word in _CLAUSES.split()} | {"load": "LOAD CSV"}
# Words that are admin commands only before these (``START DATABASE x``); elsewhere a variable name.
ADMIN_BEFORE = {"start": {"database", "databases"}, "stop": {"database", "databases"}}

# Procedures that only read, compared case-insensitively. Built in to Neo4j 5 and to ArcadeDB
# (26.10: its registry marks every one below isWriteProcedure() == false), and APOC's readers.
_ALGORITHMS = (
    "adamicAdar allsimplepaths apsp articlerank articulationPoints assortativity astar bellmanford betweenness bfs "
    "biconnectedComponents bipartite bipartiteMatching bridges cch.shortestPath clique closeness commonNeighbors "
    "conductance cycleDetection degree densestSubgraph dfs dijkstra dijkstra.singleSource eccentricity eigenvector "
    "fastrp graphColoring graphSummary graphsage harmonic hashgnn hierarchicalClustering hits influenceMaximization "
    "jaccard kShortestPaths kTruss katz kcore knn labelpropagation leiden localClusteringCoefficient longestPath "
    "louvain maxFlow maxKCut modularityScore msa mst node2vec pagerank personalizedPageRank preferentialAttachment "
    "randomWalk resourceAllocation richClub sameCommunity scc simRank slpa steinerTree topologicalSort "
    "totalNeighbors triangleCount voteRank wcc"
)
_META = "graph schema stats nodeTypeProperties relTypeProperties data"
_PATHS = "expand expandConfig subgraphAll subgraphNodes spanningTree"
_BUILT_IN = (
    "db.labels db.relationshipTypes db.propertyKeys db.schema db.schema.visualization db.schema.nodeTypeProperties "
    "db.schema.relTypeProperties db.index.vector.queryNodes db.index.vector.queryRelationships "
    "db.index.fulltext.queryNodes db.index.fulltext.queryRelationships db.info db.ping dbms.components"
)
READ_PROCEDURES = frozenset(
    name.casefold()
    for name in _BUILT_IN.split()
    + [f"algo.{name}" for name in _ALGORITHMS.split()]
    + [f"{space}.{name}" for space in ("meta", "apoc.meta") for name in _META.split()]
    + [f"{space}.{name}" for space in ("path", "apoc.path") for name in _PATHS.split()]
)


@dataclass(frozen=True)
class Refusal:
    """Why a statement may not run read-only."""

    what: str  # the keyword (``CREATE``, ``LOAD CSV``) or ``CALL <procedure>``
    offset: int
    procedure: str | None = None  # set when the reason is a procedure off the read-only list


def find_write(cypher: str) -> Refusal | None:
    """The first thing in the statement that could write (or read files), else None."""
    toks = list(tokens(cypher))
    for index, token in enumerate(toks):
        if token.kind != WORD or _is_name(toks, index):
            continue
        forms = keyword_forms(token.text)
        for form in forms:
            if form in WRITE_KEYWORDS:
                return Refusal(WRITE_KEYWORDS[form], token.start)
            if form in ADMIN_BEFORE and _next_forms(toks, index) & ADMIN_BEFORE[form]:
                return Refusal(f"{form.upper()} {toks[index + 1].text.upper()}", token.start)
        if "call" in forms:
            refusal = _check_call(toks, index)
            if refusal:
                return refusal
    return None


def write_clause(cypher: str) -> str | None:
    """What would write, as a short upper-case phrase (``DETACH``, ``LOAD CSV``, ``CALL do.when``), else None."""
    refusal = find_write(cypher)
    return refusal.what if refusal else None


def refuse_writes(cypher: str, label: str) -> None:
    """Raise ReadOnlyError naming what in ``cypher`` could write; ``label`` names the query."""
    refusal = find_write(cypher)
    if refusal is None:
        return
    where = position(cypher, refusal.offset)
    if refusal.procedure is not None:
        raise ReadOnlyError(
            f"query {label} calls procedure {refusal.procedure} (at {where}), which is not on the read-only list; "
            "nothing was changed",
            hint="pass write=True to run it",
            param="write",
        )
    reads_files = " (it reads files on the server)" if refusal.what == "LOAD CSV" else ""
    raise ReadOnlyError(
        f"query {label} contains {refusal.what}{reads_files} at {where} but runs read-only; nothing was changed",
        hint="pass write=True to allow writes",
        param="write",
    )


def _previous(toks: list[Token], index: int) -> Token | None:
    return toks[index - 1] if index > 0 else None


def _is_name(toks: list[Token], index: int) -> bool:
    """A word right after ``.`` (property key, namespace part) or ``$`` (parameter) is a name:
    the grammar allows nothing else there, so ``p.set`` or ``apoc.map.merge`` is not a clause."""
    before = _previous(toks, index)
    return before is not None and before.kind == SYMBOL and before.text in (".", "$")


def _next_forms(toks: list[Token], index: int) -> frozenset[str]:
    following = toks[index + 1] if index + 1 < len(toks) else None
    return keyword_forms(following.text) if following is not None and following.kind == WORD else frozenset()


def _check_call(toks: list[Token], index: int) -> Refusal | None:
    """``CALL {`` and ``CALL (x) {`` open subqueries (their tokens are checked like the rest);
    otherwise CALL names a procedure, which must be on the read-only list."""
    call = toks[index]
    parts: list[str] = []
    position_ = index + 1
    while position_ < len(toks):
        token = toks[position_]
        if not parts and token.kind == SYMBOL and token.text in ("{", "("):
            return None
        if token.kind not in (WORD, NAME):
            break
        parts.append(token.value)
        position_ += 1
        if position_ < len(toks) and toks[position_].kind == SYMBOL and toks[position_].text == ".":
            position_ += 1
            continue
        break
    procedure = ".".join(parts)
    if not procedure:
        return Refusal("CALL", call.start, procedure="(unnamed)")
    if procedure.casefold() in READ_PROCEDURES:
        return None
    return Refusal(f"CALL {procedure}", call.start, procedure=procedure)
