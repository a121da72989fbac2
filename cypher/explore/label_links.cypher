// Relations between persona labels (the first entry of `labels`: a domain, or a FinePersonas
// label): which parts of the world talk to which, by relation type.
// params: limit: most rows to return (default 50)
MATCH (a:Persona)-[r]->(b:Persona)
WHERE a.labels IS NOT NULL AND b.labels IS NOT NULL
RETURN a.labels[0] AS from_label, b.labels[0] AS to_label, type(r) AS type, count(*) AS relations
ORDER BY relations DESC, from_label, to_label, type
LIMIT $limit
