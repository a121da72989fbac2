// Which duplicates have edges of which type in which direction (types are checked against the vocabulary
// before a merge, and each move statement then gets only the duplicates that have something to move).
// params: ids: list of persona ids
UNWIND $ids AS id
MATCH (p:Persona {id: id})-[e]->()
RETURN DISTINCT p.id AS id, type(e) AS type, 'out' AS direction
UNION
UNWIND $ids AS id
MATCH (p:Persona {id: id})<-[e]-()
RETURN DISTINCT p.id AS id, type(e) AS type, 'in' AS direction
