// Personas per origin (text, persona, import).
// params: none
MATCH (p:Persona)
RETURN p.origin AS origin, count(*) AS n
ORDER BY n DESC
