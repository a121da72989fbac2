// How many :Batch nodes the graph holds.
// params: none
MATCH (n:Batch)
RETURN count(n) AS n
