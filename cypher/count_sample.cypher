// How many :Sample nodes the graph holds.
// params: none
MATCH (n:Sample)
RETURN count(n) AS n
