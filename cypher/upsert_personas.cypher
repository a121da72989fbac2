// Create personas; one that exists already (same content id) is left as it is.
// params: rows: list of {id, props}; now: ISO-8601 creation time
// mode: write
UNWIND $rows AS r
MERGE (p:Persona {id: r.id})
ON CREATE SET p += r.props, p.created_at = $now
RETURN count(p) AS n
