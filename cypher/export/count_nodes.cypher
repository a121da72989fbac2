// How many nodes of any label the graph holds (set against the rows an export wrote).
// params: none
MATCH (n)
RETURN count(n) AS n
