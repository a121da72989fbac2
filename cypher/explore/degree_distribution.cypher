// How many personas have each degree (relations to other personas, either direction; two edges
// between the same pair count twice). Degree 0 is the isolated personas.
// params: none
MATCH (p:Persona)
WITH p, COUNT { (p)--(:Persona) } AS degree
RETURN degree, count(*) AS personas
ORDER BY degree
