// Delete merged duplicates that no longer have any edge (all were moved); returns how many went.
// params: ids: list of persona ids
// mode: write
UNWIND $ids AS id
MATCH (d:Persona {id: id})
WHERE NOT EXISTS { (d)--() }
DELETE d
RETURN count(d) AS n
