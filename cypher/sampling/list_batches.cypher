// The usage ledger, newest first (batches still being recorded left out).
// params: limit: how many batches
MATCH (b:Batch)
WHERE b.recording IS NULL
RETURN b.id AS id, b.task AS task, b.strategy AS strategy, b.size AS size, b.created_at AS created_at,
       b.clusters_covered AS clusters_covered, b.clusters_total AS clusters_total, b.radius AS radius,
       b.radius_random AS radius_random, b.uses_gini AS uses_gini, b.carver AS carver
ORDER BY b.created_at DESC, b.id DESC
LIMIT $limit
