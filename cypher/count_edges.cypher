// How many edges of any type the graph holds (a count push-down on ArcadeDB).
// params: none
MATCH ()-[r]->()
RETURN count(*) AS n
