// One batch of the usage ledger, with its properties.
// params: id: batch id
MATCH (b:Batch {id: $id})
RETURN properties(b) AS batch
