// Every node label of the store (the read-only guard compares them before and after a user's read query).
// params: none
CALL db.labels() YIELD label
RETURN label
