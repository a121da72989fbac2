// A persona's lineage: step 0 is the persona, each next step the persona it was expanded from (a
// neighbour one hop lower, linked by a relation whose `hop` is the deeper persona's hop, or that has
// no `hop`), down to hop 0. Where several qualify, the lowest id is followed. `texts` and `sources`
// are the texts each step was derived from (DERIVED_FROM). Follows at most 6 hops, one parent per
// step, so it stays cheap on large graphs; a chain that stops above hop 0 has lost its parent.
// params: id: persona id
MATCH (p0:Persona {id: $id})
OPTIONAL MATCH (p0)-[r1]-(p1:Persona)
WHERE p1.hop = p0.hop - 1 AND coalesce(r1.hop, p0.hop) = p0.hop
WITH p0, p1, r1
ORDER BY p1.id, type(r1)
LIMIT 1
OPTIONAL MATCH (p1)-[r2]-(p2:Persona)
WHERE p2.hop = p1.hop - 1 AND coalesce(r2.hop, p1.hop) = p1.hop
WITH p0, p1, r1, p2, r2
ORDER BY p2.id, type(r2)
LIMIT 1
OPTIONAL MATCH (p2)-[r3]-(p3:Persona)
WHERE p3.hop = p2.hop - 1 AND coalesce(r3.hop, p2.hop) = p2.hop
WITH p0, p1, r1, p2, r2, p3, r3
ORDER BY p3.id, type(r3)
LIMIT 1
OPTIONAL MATCH (p3)-[r4]-(p4:Persona)
WHERE p4.hop = p3.hop - 1 AND coalesce(r4.hop, p3.hop) = p3.hop
WITH p0, p1, r1, p2, r2, p3, r3, p4, r4
ORDER BY p4.id, type(r4)
LIMIT 1
OPTIONAL MATCH (p4)-[r5]-(p5:Persona)
WHERE p5.hop = p4.hop - 1 AND coalesce(r5.hop, p4.hop) = p4.hop
WITH p0, p1, r1, p2, r2, p3, r3, p4, r4, p5, r5
ORDER BY p5.id, type(r5)
LIMIT 1
OPTIONAL MATCH (p5)-[r6]-(p6:Persona)
WHERE p6.hop = p5.hop - 1 AND coalesce(r6.hop, p5.hop) = p5.hop
WITH p0, p1, r1, p2, r2, p3, r3, p4, r4, p5, r5, p6, r6
ORDER BY p6.id, type(r6)
LIMIT 1
UNWIND range(0, 6) AS step
WITH step, [p0, p1, p2, p3, p4, p5, p6][step] AS n, [null, r1, r2, r3, r4, r5, r6][step] AS r
WHERE n IS NOT NULL
OPTIONAL MATCH (n)-[:DERIVED_FROM]->(t:Text)
RETURN step, n.id AS id, n.hop AS hop, n.origin AS origin, CASE WHEN r IS NULL THEN null ELSE type(r) END AS relation, collect(t.id) AS texts, collect(t.source) AS sources, n.text AS text
ORDER BY step
