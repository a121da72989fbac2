// Texts of the given personas (ids not in the graph are left out).
// params: ids: list of persona ids
UNWIND $ids AS id
MATCH (p:Persona {id: id})
RETURN p.id AS id, p.text AS text
