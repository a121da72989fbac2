// A page of samples (keyset by id), optionally of one batch or task, with lineage for export.
// `flag` splits the clean set from the flagged one (math answers the solvers did not confirm:
// verified = false); `conds` compares fields by name, so --where values arrive only as parameters.
// params: after: last id of the previous page ('' first); limit: page size; batch: batch id or null; task: task name or null; flag: 'clean', 'flagged' or 'all'; conds: list of {field, op, value} over quality and verified
MATCH (s:Sample)
WHERE s.id > $after AND ($batch IS NULL OR s.batch = $batch) AND ($task IS NULL OR s.task = $task)
  AND ($flag = 'all' OR ($flag = 'flagged' AND s.verified = false) OR ($flag = 'clean' AND coalesce(s.verified, true) = true))
WITH s, {quality: s.quality, verified: s.verified} AS f
WHERE all(c IN $conds WHERE CASE c.op
    WHEN '=' THEN f[c.field] = c.value
    WHEN '<>' THEN f[c.field] <> c.value
    WHEN '<' THEN f[c.field] < c.value
    WHEN '<=' THEN f[c.field] <= c.value
    WHEN '>' THEN f[c.field] > c.value
    WHEN '>=' THEN f[c.field] >= c.value
    ELSE false END)
WITH s ORDER BY s.id LIMIT $limit
MATCH (s)-[g:GENERATED_BY]->(p:Persona)
WITH s, g, p ORDER BY s.id, g.role
WITH s, collect(p.id) AS persona_ids, collect(p.text) AS persona_texts, collect(p.origin) AS persona_origins,
     collect(p.hop) AS persona_hops
RETURN s.id AS id, s.task AS task, s.mode AS mode, s.text AS text, s.data AS data, s.batch AS batch,
       s.model AS model, s.prompt AS prompt, s.prompt_version AS prompt_version, s.relation AS relation,
       s.options AS options, s.created_at AS created_at, s.verified AS verified, s.verify_reason AS verify_reason,
       s.solver_prompt AS solver_prompt, s.quality AS quality, s.judge_prompt AS judge_prompt,
       s.judge_model AS judge_model, persona_ids, persona_texts, persona_origins, persona_hops
ORDER BY id
