// Personas still in the graph under an id another persona lists as its alias (a merge cut short).
// params: none
MATCH (c:Persona)
WHERE c.aliases IS NOT NULL
UNWIND c.aliases AS alias
MATCH (d:Persona {id: alias})
WHERE d.id <> c.id
RETURN c.id AS canonical, d.id AS alias
ORDER BY canonical, alias
