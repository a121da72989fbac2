// Store judge scores on personas: quality, per-criterion scores and reasons (JSON), judge model and prompt.
// params: rows: list of {id, props}
// mode: write
UNWIND $rows AS r
MATCH (p:Persona {id: r.id})
SET p += r.props
RETURN count(p) AS n
