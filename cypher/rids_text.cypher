// Embedded ArcadeDB only (bulk load): record ids of those of these text ids that exist.
// params: ids: list of text ids
UNWIND $ids AS id
MATCH (t:Text {id: id})
RETURN id, elementId(t) AS rid
