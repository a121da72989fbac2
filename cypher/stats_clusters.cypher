// Personas per embedding cluster (only those that have one).
// params: none
MATCH (p:Persona)
WHERE p.cluster IS NOT NULL
RETURN p.cluster AS cluster, count(*) AS n
ORDER BY cluster
