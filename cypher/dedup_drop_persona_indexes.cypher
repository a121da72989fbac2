// Drop the persona property indexes of schema.cypher (not the unique id constraint) for a large merge on the
// embedded store, where each deleted persona costs time in proportion to the personas sharing its indexed value
// (origin, uses, hop have few distinct values); schema.cypher re-creates them afterwards. Statements split on ';'.
// params: none
// mode: write
DROP INDEX persona_hop IF EXISTS;
DROP INDEX persona_origin IF EXISTS;
DROP INDEX persona_cluster IF EXISTS;
DROP INDEX persona_expanded_at IF EXISTS;
DROP INDEX persona_uses IF EXISTS
