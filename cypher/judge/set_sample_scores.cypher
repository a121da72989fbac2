// Store judge scores on samples: quality, per-criterion scores and reasons (JSON), judge model and prompt.
// params: rows: list of {id, props}
// mode: write
UNWIND $rows AS r
MATCH (s:Sample {id: r.id})
SET s += r.props
RETURN count(s) AS n
