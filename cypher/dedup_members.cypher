// Alias state of the personas in duplicate groups (canonical and duplicates), by id.
// params: ids: list of persona ids
UNWIND $ids AS id
MATCH (p:Persona {id: id})
RETURN p.id AS id, p.text AS text, p.aliases AS aliases, p.alias_texts AS alias_texts, p.uses AS uses
