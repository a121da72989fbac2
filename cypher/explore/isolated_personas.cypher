// Personas with no relation to any other persona (candidates for expansion, or noise).
// params: limit: most rows to return (default 100)
MATCH (p:Persona)
WHERE NOT EXISTS { (p)--(:Persona) }
RETURN p.id AS id, p.origin AS origin, p.hop AS hop, p.text AS text
ORDER BY id
LIMIT $limit
