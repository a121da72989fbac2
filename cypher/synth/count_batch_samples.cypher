// How many samples were generated from one batch.
// params: id: batch id
MATCH (s:Sample {batch: $id})
RETURN count(s) AS n
