// Source texts by how many personas were derived from them (Text-to-Persona provenance).
// params: limit: most rows to return (default 25)
MATCH (t:Text)
WITH t, COUNT { (:Persona)-[:DERIVED_FROM]->(t) } AS personas
RETURN t.id AS id, t.source AS source, personas, left(t.text, 80) AS excerpt
ORDER BY personas DESC, id
LIMIT $limit
