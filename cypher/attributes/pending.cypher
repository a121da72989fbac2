// Personas whose attributes are still to be extracted, in id order after a given id: those with none,
// or (redo) those whose LLM attributes came from another prompt version. Imported attributes are kept.
// params: after: last id of the previous page ('' first); limit: page size; redo: prompt ref to redo against, or null
MATCH (p:Persona)
WHERE p.id > $after
  AND (($redo IS NULL AND p.attrs_source IS NULL)
    OR ($redo IS NOT NULL AND coalesce(p.attrs_source, '') <> 'import' AND coalesce(p.attrs_prompt, '') <> $redo))
RETURN p.id AS id, p.text AS text
ORDER BY p.id
LIMIT $limit
