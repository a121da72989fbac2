// Drop the persona cluster index for a large write-back of clusters on the embedded store (one update costs
// ~2.3x as much with it, measured on a 1M store); schema.cypher re-creates it afterwards. Statements split on ';'.
// params: none
// mode: write
DROP INDEX persona_cluster IF EXISTS
