// A persona's lineage: step 0 is the persona, each next step the persona it was expanded from (one
// hop lower, linked by a relation of that expansion hop), down to hop 0; `texts` and `sources` are
// the texts each step was derived from (DERIVED_FROM). When several chains qualify, the one with the
// smallest ids is shown. Walks at most 6 hops.
// params: id: persona id
MATCH (p:Persona {id: $id})
MATCH chain = (p)-[*0..6]-(root:Persona)
WHERE coalesce(root.hop, 0) = 0
  AND all(i IN range(0, length(chain) - 1) WHERE nodes(chain)[i + 1]:Persona
      AND nodes(chain)[i].hop = nodes(chain)[i + 1].hop + 1
      AND coalesce(relationships(chain)[i].hop, nodes(chain)[i].hop) = nodes(chain)[i].hop)
WITH chain
ORDER BY reduce(s = '', x IN nodes(chain) | s + x.id)
LIMIT 1
UNWIND range(0, length(chain)) AS step
WITH step, nodes(chain)[step] AS n, CASE WHEN step = 0 THEN null ELSE type(relationships(chain)[step - 1]) END AS relation
OPTIONAL MATCH (n)-[:DERIVED_FROM]->(t:Text)
RETURN step, n.id AS id, n.hop AS hop, n.origin AS origin, relation, collect(t.id) AS texts, collect(t.source) AS sources, n.text AS text
ORDER BY step
