// The most connected personas: degree (relations) and distinct neighbours, highest first.
// params: limit: how many personas (default 10)
MATCH (p:Persona)
OPTIONAL MATCH (p)-[r]-(n:Persona)
WITH p, count(r) AS degree, count(DISTINCT n) AS neighbours
RETURN p.id AS id, degree, neighbours, p.text AS text
ORDER BY degree DESC, neighbours DESC, id
LIMIT $limit
