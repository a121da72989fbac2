// How many persona-to-persona edges of one type the graph holds (__TYPE__ is vocabulary-checked).
// params: none
MATCH (:Persona)-[r:__TYPE__]->(:Persona)
RETURN count(r) AS n
