// These texts, if not yet turned into personas with this prompt and granularity ('' key: all of them).
// params: ids: text ids; key: "<prompt ref>/<granularity>" or ''
UNWIND $ids AS id
MATCH (t:Text {id: id})
WHERE $key = '' OR NOT $key IN coalesce(t.t2p_done, [])
RETURN t.id AS id, t.text AS text, t.source AS source
ORDER BY t.id
