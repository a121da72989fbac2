// Relation types of every edge touching these personas (checked against the vocabulary before a merge).
// params: ids: list of persona ids
UNWIND $ids AS id
MATCH (p:Persona {id: id})-[e]-()
RETURN DISTINCT type(e) AS type
