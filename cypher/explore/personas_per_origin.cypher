// Personas per origin (text: Text-to-Persona; persona: expansion; import: loaded from a file),
// with three example texts.
// params: none
MATCH (p:Persona)
RETURN p.origin AS origin, count(*) AS personas, collect(p.text)[..3] AS examples
ORDER BY personas DESC, origin
