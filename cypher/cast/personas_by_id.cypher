// The properties a cast or a view shows, for a list of persona ids (missing ids are skipped).
// params: ids: list of persona ids
UNWIND $ids AS id
MATCH (p:Persona {id: id})
RETURN p.id AS id, p.text AS text, p.cluster AS cluster, p.hop AS hop, p.origin AS origin, p.uses AS uses
