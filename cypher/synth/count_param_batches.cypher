// How many synth batches a run with exactly these parameters has recorded (finished or not): the
// next batch of such runs gets the id of that generation, so workers started together share it.
// params: params: the run's parameters as canonical JSON (Batch.synth_params)
MATCH (b:Batch)
WHERE b.synth_params = $params
RETURN count(b) AS n
