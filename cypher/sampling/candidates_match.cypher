// The candidates query (see candidates.cypher) restricted to personas that take part in a graph
// pattern. The pattern slot is filled only by personagraph/sampling/carver.py, which writes it from
// its own parse tree (labels and relation types checked, literals turned into pm_* parameters).
// params: first, last, origins, clusters, text, conds, attrs (as candidates.cypher); pm_0, pm_1, ...: the pattern's literals
MATCH (p:Persona)
WHERE p.id >= $first AND p.id <= $last
  AND ($origins IS NULL OR p.origin IN $origins)
  AND ($clusters IS NULL OR p.cluster IN $clusters)
  AND ($text IS NULL OR toLower(p.text) CONTAINS $text)
  AND EXISTS { MATCH __PATTERN__ }
WITH p, [(p)-[r]-(:Persona) | type(r)] AS rels
WITH p, rels, size(rels) AS degree, {hop: p.hop, uses: coalesce(p.uses, 0), cluster: p.cluster, community: p.community, origin: p.origin, degree: size(rels), quality: p.quality,
      age: p.age, age_band: p.age_band, gender: p.gender, occupation: p.occupation, isco: p.isco, industry: p.industry,
      country: p.country, region: p.region, city: p.city, settlement: p.settlement, education: p.education,
      marital_status: p.marital_status, life_stage: p.life_stage, openness: p.openness,
      conscientiousness: p.conscientiousness, extraversion: p.extraversion, agreeableness: p.agreeableness,
      neuroticism: p.neuroticism} AS f
WHERE all(c IN $conds WHERE CASE c.op
    WHEN '=' THEN f[c.field] = c.value
    WHEN '<>' THEN f[c.field] <> c.value
    WHEN '<' THEN f[c.field] < c.value
    WHEN '<=' THEN f[c.field] <= c.value
    WHEN '>' THEN f[c.field] > c.value
    WHEN '>=' THEN f[c.field] >= c.value
    ELSE false END)
RETURN p.id AS id, p.hop AS hop, p.origin AS origin, p.cluster AS cluster, p.community AS community,
       coalesce(p.uses, 0) AS uses, degree, rels,
       [k IN $attrs | f[k]] AS attrs
