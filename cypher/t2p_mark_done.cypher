// Record that these texts were turned into personas with this prompt and granularity.
// params: ids: text ids; key: "<prompt ref>/<granularity>"
// mode: write
UNWIND $ids AS id
MATCH (t:Text {id: id})
WHERE NOT $key IN coalesce(t.t2p_done, [])
SET t.t2p_done = coalesce(t.t2p_done, []) + [$key]
RETURN count(t) AS n
