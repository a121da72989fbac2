// The persona-to-persona edges leaving the personas of an id range (a page of one persona shard,
// whose ids are a contiguous run of the id order), their two ends only: what Louvain reads
// (`cluster`). page_relations.cypher's `properties(r)` and `type(r)` cost a map and a string per
// edge that communities never look at.
// params: first, last: the page's first and last persona id
MATCH (a:Persona)
WHERE a.id >= $first AND a.id <= $last
MATCH (a)-[]->(b:Persona)
RETURN a.id AS src, b.id AS dst
