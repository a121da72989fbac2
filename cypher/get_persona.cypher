// One persona's properties, by id.
// params: id: persona id
MATCH (p:Persona {id: $id})
RETURN p.id AS id, p.text AS text, p.origin AS origin, p.hop AS hop, p.cluster AS cluster, p.uses AS uses, p.expanded_at AS expanded_at, p.aliases AS aliases
