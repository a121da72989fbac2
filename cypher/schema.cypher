// Unique ids and the indexes the package's queries filter on. Idempotent; statements split on ';'.
// params: none
// mode: write
CREATE CONSTRAINT persona_id IF NOT EXISTS FOR (p:Persona) REQUIRE p.id IS UNIQUE;
CREATE CONSTRAINT text_id IF NOT EXISTS FOR (t:Text) REQUIRE t.id IS UNIQUE;
CREATE CONSTRAINT sample_id IF NOT EXISTS FOR (s:Sample) REQUIRE s.id IS UNIQUE;
CREATE CONSTRAINT batch_id IF NOT EXISTS FOR (b:Batch) REQUIRE b.id IS UNIQUE;
CREATE CONSTRAINT synth_claim_id IF NOT EXISTS FOR (c:SynthClaim) REQUIRE c.id IS UNIQUE;
CREATE INDEX persona_hop IF NOT EXISTS FOR (p:Persona) ON (p.hop);
CREATE INDEX persona_origin IF NOT EXISTS FOR (p:Persona) ON (p.origin);
CREATE INDEX persona_cluster IF NOT EXISTS FOR (p:Persona) ON (p.cluster);
CREATE INDEX persona_expanded_at IF NOT EXISTS FOR (p:Persona) ON (p.expanded_at);
CREATE INDEX persona_uses IF NOT EXISTS FOR (p:Persona) ON (p.uses)
