// Personas whose text contains a word or phrase, case-insensitive, best connected first.
// params: q: text to look for; limit: most rows to return (default 25)
MATCH (p:Persona)
WHERE toLower(p.text) CONTAINS toLower($q)
RETURN p.id AS id, COUNT { (p)--(:Persona) } AS degree, p.hop AS hop, p.origin AS origin, p.text AS text
ORDER BY degree DESC, id
LIMIT $limit
