// The persona-to-persona edges leaving one page of page_persona_ids.cypher, given as its first and
// last id: a range of the unique id index (GraphStore.range_columns; the same rate as looking up
// the page's ids one by one, benchmarks/id_ranges.py). `WHERE a.id IN $ids` scanned the list per
// persona (31 s against 12.5 s for 10k ids), and `WITH a ORDER BY a.id LIMIT $n` before the edge
// match sorted every persona on each page (1.1 s for 10 personas of 50k): both O(N) per page.
// params: first, last: the page's first and last source id
MATCH (a:Persona)
WHERE a.id >= $first AND a.id <= $last
MATCH (a)-[r]->(b:Persona)
RETURN a.id AS src, b.id AS dst, type(r) AS type, properties(r) AS props
