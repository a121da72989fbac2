// Typed edges from Persona-to-Persona answers (__TYPE__ is a vocabulary-checked relation type), with provenance.
// Parallel lists of scalars (see expand_add_personas.cypher); MERGE, so a replayed batch adds nothing.
// params: src, dst, evidence, hops, expanded: parallel lists; run, model, prompt: provenance; now: ISO-8601 time
// mode: write
UNWIND range(0, size($src) - 1) AS i
MATCH (a:Persona {id: $src[i]})
MATCH (b:Persona {id: $dst[i]})
MERGE (a)-[e:__TYPE__]->(b)
ON CREATE SET e.evidence = $evidence[i], e.hop = $hops[i], e.expanded = $expanded[i],
              e.run = $run, e.model = $model, e.prompt = $prompt, e.created_at = $now
RETURN count(e) AS n
