// Texts of the given personas.
// params: ids: persona ids
UNWIND $ids AS pid
MATCH (p:Persona {id: pid})
RETURN p.id AS id, p.text AS text
