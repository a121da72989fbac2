// How many personas have each attribute, and how many have attributes at all (by source).
// params: none
MATCH (p:Persona)
RETURN count(p) AS personas,
       count(p.attrs_source) AS with_attributes,
       sum(CASE WHEN p.attrs_source = 'llm' THEN 1 ELSE 0 END) AS from_llm,
       sum(CASE WHEN p.attrs_source = 'import' THEN 1 ELSE 0 END) AS from_import,
       count(p.age) AS age, count(p.age_band) AS age_band, count(p.gender) AS gender,
       count(p.occupation) AS occupation, count(p.isco) AS isco, count(p.industry) AS industry,
       count(p.country) AS country, count(p.region) AS region, count(p.city) AS city,
       count(p.settlement) AS settlement, count(p.languages) AS languages, count(p.education) AS education,
       count(p.marital_status) AS marital_status, count(p.life_stage) AS life_stage, count(p.interests) AS interests,
       count(p.openness) AS openness, count(p.conscientiousness) AS conscientiousness,
       count(p.extraversion) AS extraversion, count(p.agreeableness) AS agreeableness,
       count(p.neuroticism) AS neuroticism
