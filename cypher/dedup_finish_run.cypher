// Mark a dedup run finished: its final figures set, its list of pending groups dropped.
// params: id: the run's id; props: map of final figures
// mode: write
MATCH (r:DedupRun {id: $id})
SET r += $props, r.status = 'finished', r.pending_groups = null
RETURN count(r) AS n
