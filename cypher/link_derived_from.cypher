// Text-to-Persona provenance: the persona was derived from the text.
// params: rows: list of {persona, text, props (model, prompt, run)}
// mode: write
UNWIND $rows AS r
MATCH (p:Persona {id: r.persona})
MATCH (t:Text {id: r.text})
MERGE (p)-[e:DERIVED_FROM]->(t)
ON CREATE SET e += r.props
RETURN count(e) AS n
