// Persona-to-persona edges per relation type.
// params: none
MATCH (:Persona)-[r]->(:Persona)
RETURN type(r) AS type, count(*) AS n
ORDER BY n DESC, type
