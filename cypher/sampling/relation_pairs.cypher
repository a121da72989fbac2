// Every pair of personas joined by one relation type (__TYPE__, vocabulary-checked): the groups of
// multi-persona tasks.
// params: none
MATCH (a:Persona)-[:__TYPE__]->(b:Persona)
WHERE a <> b
RETURN a.id AS src, b.id AS dst
ORDER BY src, dst
