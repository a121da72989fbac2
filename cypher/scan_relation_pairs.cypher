// Embedded ArcadeDB only (bulk load): the (source, target) record ids of every edge of one type.
// params: none (__TYPE__ is a vocabulary-checked relation type)
MATCH (a:Persona)-[:__TYPE__]->(b:Persona)
RETURN elementId(a) AS src, elementId(b) AS dst
