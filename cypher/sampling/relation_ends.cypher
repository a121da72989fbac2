// The persona-to-persona edges leaving the given personas, their two ends only: what Louvain reads
// (`cluster`). page_relations.cypher's `properties(r)` and `type(r)` cost a map and a string per
// edge that communities never look at. Each source is found through the unique id index.
// params: ids: source persona ids (a page of one persona shard)
UNWIND $ids AS id
MATCH (a:Persona {id: id})-[]->(b:Persona)
RETURN a.id AS src, b.id AS dst
