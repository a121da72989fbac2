// How many :Persona nodes the graph holds.
// params: none
MATCH (n:Persona)
RETURN count(n) AS n
