// Embedded ArcadeDB only (bulk load): every text id with its record id, read once per import.
// params: none
MATCH (t:Text)
RETURN t.id AS id, elementId(t) AS rid
