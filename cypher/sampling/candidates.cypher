// The sampling candidates of one page of candidate_ids.cypher (its first and last id, the same
// filters) that pass the carver's field conditions, with the facets the strategies and the coverage
// report need. `conds` compares fields by name, so --where values and field names arrive only as
// parameters. The page is a range of the id index, not a list of ids (20k index lookups cost more
// than the range), the relations are walked once for types and degree, and there is no ORDER BY (the
// engine sorted the range again, 3x the range's own time): fetch_candidates sorts each page.
// benchmarks/id_ranges.py measures it against the read as it was.
// params: first, last: the page's first and last id; origins, clusters, text: as candidate_ids.cypher;
//   conds: list of {field, op, value}; attrs: attribute names whose values to return (list, may be empty)
MATCH (p:Persona)
WHERE p.id >= $first AND p.id <= $last
  AND ($origins IS NULL OR p.origin IN $origins)
  AND ($clusters IS NULL OR p.cluster IN $clusters)
  AND ($text IS NULL OR toLower(p.text) CONTAINS $text)
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
