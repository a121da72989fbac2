// The persona-to-persona edges leaving the given personas (one page of page_persona_ids.cypher),
// each source found through the unique id index. `WHERE a.id IN $ids` scanned the list per persona
// (31 s against 12.5 s for 10k ids), and `WITH a ORDER BY a.id LIMIT $n` before the edge match
// sorted every persona on each page (1.1 s for 10 personas of 50k): both O(N) per page.
// params: ids: source persona ids
UNWIND $ids AS id
MATCH (a:Persona {id: id})-[r]->(b:Persona)
RETURN a.id AS src, b.id AS dst, type(r) AS type, properties(r) AS props
