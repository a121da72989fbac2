// A keyset page of the ids of samples that pass the export's filters, in id order (the unique id
// index walked in order). page_samples.cypher then reads those samples and their personas alone:
// with the persona match in the same query, every sample after $after was sorted on each page.
// `flag` splits the clean set from the flagged one (verified = false); `conds` compares fields by
// name, so --where values arrive only as parameters.
// params: after: last id of the previous page ('' first); limit: page size; batch: batch id or null; task: task name or null; flag: 'clean', 'flagged' or 'all'; conds: list of {field, op, value} over quality and verified
MATCH (s:Sample)
WHERE s.id > $after AND ($batch IS NULL OR s.batch = $batch) AND ($task IS NULL OR s.task = $task)
  AND ($flag = 'all' OR ($flag = 'flagged' AND s.verified = false) OR ($flag = 'clean' AND coalesce(s.verified, true) = true))
  AND all(c IN $conds WHERE CASE c.op
    WHEN '=' THEN {quality: s.quality, verified: s.verified}[c.field] = c.value
    WHEN '<>' THEN {quality: s.quality, verified: s.verified}[c.field] <> c.value
    WHEN '<' THEN {quality: s.quality, verified: s.verified}[c.field] < c.value
    WHEN '<=' THEN {quality: s.quality, verified: s.verified}[c.field] <= c.value
    WHEN '>' THEN {quality: s.quality, verified: s.verified}[c.field] > c.value
    WHEN '>=' THEN {quality: s.quality, verified: s.verified}[c.field] >= c.value
    ELSE false END)
RETURN s.id AS id
ORDER BY s.id
LIMIT $limit
