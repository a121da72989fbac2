// Personas per embedding cluster (null: not clustered yet), with three example texts.
// params: none
MATCH (p:Persona)
RETURN p.cluster AS cluster, count(*) AS personas, collect(p.text)[..3] AS examples
ORDER BY cluster
