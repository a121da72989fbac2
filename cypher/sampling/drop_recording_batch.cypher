// The :Batch node of a batch cut short while recorded, once sampling/undo_uses has removed its edges.
// params: id: batch id
// mode: write
MATCH (b:Batch {id: $id})
WHERE b.recording = true
WITH b, b.id AS id
DETACH DELETE b
RETURN count(id) AS n
