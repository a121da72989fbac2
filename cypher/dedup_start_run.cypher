// Record a dedup run BEFORE it merges anything: its options and the groups it will merge, status "running".
// params: props: map of the run's options and figures, with pending_groups (list of tab-joined canonical and duplicate ids)
// mode: write
CREATE (r:DedupRun)
SET r = $props, r.status = 'running'
RETURN r.id AS id
