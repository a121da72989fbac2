// Give back claims (personas whose expansion failed this run, or a worker stopping early).
// params: ids: persona ids; worker: worker id
// mode: write
UNWIND $ids AS id
MATCH (p:Persona {id: id})
WHERE p.claimed_by = $worker
SET p.claimed_by = null, p.lease_until = null
RETURN count(p) AS n
