// The usage ledger: create a :Batch node, link the personas it used and count each use.
// params: id: batch id; props: flat map of batch properties; ids: persona ids of the batch
// mode: write
CREATE (b:Batch {id: $id})
SET b += $props
WITH b
UNWIND $ids AS pid
MATCH (p:Persona {id: pid})
SET p.uses = coalesce(p.uses, 0) + 1
CREATE (p)-[:USED_IN]->(b)
RETURN count(p) AS n
