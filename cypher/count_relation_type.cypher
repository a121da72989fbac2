// How many edges of one type the graph holds (__TYPE__ is vocabulary-checked; a count push-down).
// params: none
MATCH ()-[r:__TYPE__]->()
RETURN count(*) AS n
