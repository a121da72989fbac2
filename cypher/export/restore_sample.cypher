// Create :Sample nodes read back from an export, with exactly their exported properties; one whose id exists is left.
// params: rows: list of {id, props}
// mode: write
UNWIND $rows AS r
MERGE (n:Sample {id: r.id})
ON CREATE SET n += r.props
RETURN count(n) AS n
