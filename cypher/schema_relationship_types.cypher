// Every relationship type of the store (the read-only guard compares them before and after a user's read query).
// params: none
CALL db.relationshipTypes() YIELD relationshipType
RETURN relationshipType AS type
