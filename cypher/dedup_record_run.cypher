// Record a dedup run for lineage: thresholds, embedder, groups per stage, personas merged, edges moved.
// params: props: map of the run's figures
// mode: write
CREATE (r:DedupRun)
SET r = $props
RETURN r.id AS id
