// Texts of personas by id (for the prompts a dry run prints).
// params: ids: persona ids
UNWIND $ids AS id
MATCH (p:Persona {id: id})
RETURN p.id AS id, p.text AS text, p.hop AS hop
