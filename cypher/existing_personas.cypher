// Which of these persona ids are already in the graph.
// params: ids: list of persona ids
UNWIND $ids AS id
MATCH (p:Persona {id: id})
RETURN p.id AS id
