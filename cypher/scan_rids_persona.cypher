// Embedded ArcadeDB only (bulk load): every persona id with its record id, read once per import.
// params: none
MATCH (p:Persona)
RETURN p.id AS id, elementId(p) AS rid
