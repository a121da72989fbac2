// A keyset page of the ids of personas that pass the carver's property filters, in id order. Only
// what the id index can walk in order belongs here: candidates.cypher then computes the degree and
// the relation types of this page alone. (With those in one query the engine computed them for every
// persona after $after before it sorted and cut: 20 s a page at the start of 100k personas.)
// params: after: last id of the previous page ('' first); limit: page size; origins: list or null; clusters: list or null; text: lower-case substring or null
MATCH (p:Persona)
WHERE p.id > $after
  AND ($origins IS NULL OR p.origin IN $origins)
  AND ($clusters IS NULL OR p.cluster IN $clusters)
  AND ($text IS NULL OR toLower(p.text) CONTAINS $text)
RETURN p.id AS id
ORDER BY p.id
LIMIT $limit
