// Personas per expansion hop.
// params: none
MATCH (p:Persona)
RETURN p.hop AS hop, count(*) AS n
ORDER BY hop
