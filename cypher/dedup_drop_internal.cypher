// Delete edges between members of the same duplicate group (they would become self-loops on the canonical).
// params: rows: list of {dup, group: ids of every member of the dup's group}
// mode: write
UNWIND $rows AS r
MATCH (d:Persona {id: r.dup})
MATCH (d)-[e]-(y:Persona)
WHERE y.id IN r.group
WITH DISTINCT e
DELETE e
RETURN count(e) AS n
