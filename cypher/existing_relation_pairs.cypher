// Which of these (src, dst) persona id pairs already have an edge of one type (__TYPE__, checked).
// params: src: list of persona ids; dst: list of persona ids, same length
UNWIND range(0, size($src) - 1) AS i
MATCH (a:Persona {id: $src[i]})-[:__TYPE__]->(b:Persona)
WHERE b.id = $dst[i]
RETURN DISTINCT i
