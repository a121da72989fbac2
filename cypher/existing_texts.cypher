// Which of these text ids are already in the graph.
// params: ids: list of text ids
UNWIND $ids AS id
MATCH (t:Text {id: id})
RETURN t.id AS id
