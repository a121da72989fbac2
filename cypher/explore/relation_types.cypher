// Persona-to-persona relations per type, with how many distinct personas start and end them.
// params: none
MATCH (a:Persona)-[r]->(b:Persona)
RETURN type(r) AS type, count(*) AS relations, count(DISTINCT a) AS sources, count(DISTINCT b) AS targets
ORDER BY relations DESC, type
