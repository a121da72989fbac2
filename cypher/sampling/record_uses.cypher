// The usage ledger, one chunk of a batch's personas: a USED_IN edge and one more use each; the
// batch's recording lease renewed.
// params: id: batch id; ids: persona ids of this chunk; until: epoch seconds
// mode: write
MATCH (b:Batch {id: $id})
SET b.recording_until = $until
WITH b
UNWIND $ids AS pid
MATCH (p:Persona {id: pid})
SET p.uses = coalesce(p.uses, 0) + 1
CREATE (p)-[:USED_IN]->(b)
RETURN count(p) AS n
