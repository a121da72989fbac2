// Create personas whose id is not in the graph yet, and count them; an existing one is left as it is.
// One round trip per batch: the OPTIONAL MATCH runs (eagerly, before any MERGE) to tell new from old.
// params: rows: list of {id, props} with distinct ids; now: ISO-8601 creation time
// mode: write
UNWIND $rows AS r
OPTIONAL MATCH (old:Persona {id: r.id})
WITH r, count(old) AS before
MERGE (p:Persona {id: r.id})
ON CREATE SET p += r.props, p.created_at = $now
RETURN sum(CASE WHEN before = 0 THEN 1 ELSE 0 END) AS created
