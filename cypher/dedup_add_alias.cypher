// Record near-duplicates resolved at insert time as aliases of their canonical persona (each id once).
// params: rows: list of {canon, ids: list of duplicate ids, texts: their texts (same order)}
// mode: write
UNWIND $rows AS r
MATCH (c:Persona {id: r.canon})
WITH c, r, [k IN range(0, size(r.ids) - 1) WHERE NOT r.ids[k] IN coalesce(c.aliases, [])] AS fresh
SET c.aliases = coalesce(c.aliases, []) + [k IN fresh | r.ids[k]],
    c.alias_texts = coalesce(c.alias_texts, []) + [k IN fresh | r.texts[k]]
RETURN count(c) AS n
