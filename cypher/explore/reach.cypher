// A persona's degree and two-hop reach over the relation graph only: persona-to-persona relations,
// never through the usage ledger (USED_IN to :Batch), samples (GENERATED_BY) or provenance
// (DERIVED_FROM to :Text), which an untyped pattern such as (p)-[*1..2]-(n) would also walk.
// params: id: persona id
MATCH (p:Persona {id: $id})
OPTIONAL MATCH path = (p)-[*1..2]-(n:Persona)
WHERE n <> p AND all(x IN nodes(path) WHERE x:Persona)
WITH p, count(DISTINCT n) AS reach_2
RETURN p.id AS id, COUNT { (p)--(:Persona) } AS degree, reach_2
