// Personas whose text contains a phrase (case-insensitive), best connected first.
// params: q: the phrase; limit: how many to return
MATCH (p:Persona)
WHERE toLower(p.text) CONTAINS toLower($q)
RETURN p.id AS id, p.text AS text, COUNT { (p)--(:Persona) } AS degree
ORDER BY degree DESC, id
LIMIT $limit
