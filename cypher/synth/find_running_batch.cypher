// The newest synth batch left unfinished (interrupted) by a run with exactly these parameters.
// params: params: the run's parameters as canonical JSON (Batch.synth_params)
MATCH (b:Batch)
WHERE b.status = 'running' AND b.synth_params = $params
RETURN b.id AS id
ORDER BY b.created_at DESC
LIMIT 1
