// Personas per expansion hop (0: from a text or an import; n: n Persona-to-Persona steps away),
// with their mean degree and three example texts.
// params: none
MATCH (p:Persona)
WITH p, COUNT { (p)--(:Persona) } AS degree
RETURN p.hop AS hop, count(*) AS personas, round(avg(degree) * 100) / 100.0 AS mean_degree, collect(p.text)[..3] AS examples
ORDER BY hop
