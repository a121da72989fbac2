// Embedded ArcadeDB only (bulk load): record ids of those of these persona ids that exist.
// params: ids: list of persona ids
UNWIND $ids AS id
MATCH (p:Persona {id: id})
RETURN id, elementId(p) AS rid
