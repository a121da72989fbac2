// Give each canonical persona its merged duplicates' ids and texts as aliases (absolute values, so a re-run sets the same).
// params: rows: list of {canon, aliases, alias_texts, uses}; now: ISO-8601 time
// mode: write
UNWIND $rows AS r
MATCH (c:Persona {id: r.canon})
SET c.aliases = r.aliases, c.alias_texts = r.alias_texts, c.uses = r.uses, c.deduped_at = $now
RETURN count(c) AS n
