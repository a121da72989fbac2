// Which groups (index in the batch's group list) of a batch already have a sample.
// params: id: batch id
MATCH (s:Sample {batch: $id})
WHERE s.group IS NOT NULL
RETURN DISTINCT s.group AS group
