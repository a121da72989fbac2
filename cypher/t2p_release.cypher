// Give back Text-to-Persona claims (texts whose reply failed, or a worker stopping early).
// params: ids: text ids; worker: worker id
// mode: write
UNWIND $ids AS id
MATCH (t:Text {id: id})
WHERE t.claimed_by = $worker
SET t.claimed_by = null, t.lease_until = null
RETURN count(t) AS n
