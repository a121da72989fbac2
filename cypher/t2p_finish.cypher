// Mark texts turned into personas, only those this worker still holds; returns them. Runs first in
// the transaction that writes their personas, so a text whose claim was lost writes nothing.
// params: ids: text ids; key: "<prompt ref>/<granularity>"; run: run id; worker: worker id
// mode: write
UNWIND $ids AS id
MATCH (t:Text {id: id})
WHERE t.claimed_by = $worker
SET t.t2p_done = CASE WHEN $key IN coalesce(t.t2p_done, []) THEN t.t2p_done ELSE coalesce(t.t2p_done, []) + [$key] END,
    t.t2p_run = $run, t.claimed_by = null, t.lease_until = null
RETURN t.id AS id
