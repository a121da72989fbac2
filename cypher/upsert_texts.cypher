// Create source texts; one that exists already (same content id) is left as it is.
// params: rows: list of {id, props}; now: ISO-8601 creation time
// mode: write
UNWIND $rows AS r
MERGE (t:Text {id: r.id})
ON CREATE SET t += r.props, t.created_at = $now
RETURN count(t) AS n
