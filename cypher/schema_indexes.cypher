// Every index of the store (the read-only guard compares them before and after a user's read query).
// params: none
SHOW INDEXES YIELD name, type, labelsOrTypes, properties
RETURN name, type, labelsOrTypes, properties
