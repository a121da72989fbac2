// Keep a batch's diversity report (JSON text) and headline figures on its :Batch node.
// params: id: batch id; props: flat map (diversity, distinct_2, vendi, mean_cosine, near_dup_rate, samples)
// mode: write
MATCH (b:Batch {id: $id})
SET b += $props
RETURN b.id AS id
