// Texts not yet turned into personas with this prompt and granularity, in id order after a given id.
// params: key: "<prompt ref>/<granularity>"; after: last id of the previous page ('' first); limit: page size
MATCH (t:Text)
WHERE t.id > $after AND NOT $key IN coalesce(t.t2p_done, [])
RETURN t.id AS id, t.text AS text, t.source AS source
ORDER BY t.id
LIMIT $limit
