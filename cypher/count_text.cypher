// How many :Text nodes the graph holds.
// params: none
MATCH (n:Text)
RETURN count(n) AS n
