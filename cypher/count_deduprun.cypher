// How many :DedupRun nodes the graph holds.
// params: none
MATCH (n:DedupRun)
RETURN count(n) AS n
