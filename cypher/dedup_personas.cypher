// Every persona with what duplicate detection needs (read in one pass, as columns where the store can).
// params: none
MATCH (p:Persona)
RETURN p.id AS id, p.text AS text, p.hop AS hop, p.created_at AS created_at
