// How many edges the graph holds (all types), to count the parallel edges a merge folded together.
// params: none
MATCH ()-[e]->()
RETURN count(e) AS n
