// Store extracted attributes on personas: every attribute property is set (null removes a field an
// earlier extraction left), with the provenance (source, model, prompt, time).
// params: rows: list of {id, <every attribute field and attrs_* provenance, null where unknown>}
// mode: write
UNWIND $rows AS r
MATCH (p:Persona {id: r.id})
SET p.age = r.age,
    p.age_band = r.age_band,
    p.gender = r.gender,
    p.occupation = r.occupation,
    p.isco = r.isco,
    p.industry = r.industry,
    p.country = r.country,
    p.region = r.region,
    p.city = r.city,
    p.settlement = r.settlement,
    p.languages = r.languages,
    p.education = r.education,
    p.marital_status = r.marital_status,
    p.life_stage = r.life_stage,
    p.interests = r.interests,
    p.openness = r.openness,
    p.conscientiousness = r.conscientiousness,
    p.extraversion = r.extraversion,
    p.agreeableness = r.agreeableness,
    p.neuroticism = r.neuroticism,
    p.attrs_source = r.attrs_source,
    p.attrs_model = r.attrs_model,
    p.attrs_prompt = r.attrs_prompt,
    p.attrs_at = r.attrs_at
RETURN count(p) AS n
