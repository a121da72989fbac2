// A keyset page of personas for the shard files of the whole-graph stages (embed, dedup, cluster).
// params: after: last id of the previous page ('' for the first); limit: page size
// rid: the element id, by which `cluster` orders its write-back where it is a record id (#bucket:position).
// mode: read
MATCH (p:Persona)
WHERE p.id > $after
RETURN p.id AS id, p.text AS text, p.hop AS hop, p.created_at AS created_at, p.cluster AS cluster,
       p.community AS community, elementId(p) AS rid
ORDER BY p.id
LIMIT $limit
