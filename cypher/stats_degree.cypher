// Degree distribution over persona-to-persona relations: how many personas have each degree.
// params: none
MATCH (p:Persona)
WITH p, COUNT { (p)--(:Persona) } AS degree
RETURN degree, count(*) AS n
ORDER BY degree
