"""A real HTTP server speaking the OpenAI chat completions API, with scripted, varied replies.

Replies are generated from the JSON schema the request carries (``response_format`` or, in JSON
mode, the schema the client writes into the messages) and are deterministic functions of the
request: the same persona asked about the same relation types always gets the same related
personas, different personas get different ones. Faults can be injected per request:

    429          rate limited, with ``Retry-After``
    500 / 503    server error
    drop         connection closed without an answer
    slow:<s>     answer after <s> extra seconds (a client timeout below that sees a timeout)
    malformed    truncated JSON
    invalid      valid JSON that violates the schema
    fenced       the JSON wrapped in prose and a ```json fence (valid once parsed tolerantly)
    unknown      (p2p) every relation type outside the requested ones
    only:<NAME>  (p2p) every relation answered as NAME (an inverse name, a synonym, anything)
    raw:<text>   <text> as the reply's content, verbatim
    echo-auth    400 whose error message repeats the request's Authorization header (a leaky server)
    echo-auth-reply  the Authorization header as the reply's content (never valid JSON for a schema)

Responders (``add_responder``) answer the requests they recognise before the schema filler does:
a callable ``(question, schema, messages) -> value or None`` (tests/llm_fixtures.py has the math
solver's and the judge's). A request's ``seed`` joins the digest, so two seeds get two replies.

``persona_pool=N`` draws every related persona from N fixed texts, so different personas (in
different workers) often name the same new one. Each logged request carries ``client`` (a short
hash of its Authorization header: which key asked), ``end`` (when the answer went out) and
``abandoned`` (the client had closed the connection before the answer, e.g. a killed worker).

Faults come from a FIFO queue (``enqueue``), from rules matching a substring of the messages
(``add_rule``), or at random rates (``fault_rates``, seeded). ``reject_json_schema`` answers 400
to ``response_format: json_schema`` (and ``reject_json_object`` to JSON mode) like servers that
lack them. Every request is logged (``requests``, ``count``) so tests can count calls.

Standalone: ``python -m tests.llm_server --port 8765 --latency 0.2``.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import random
import re
import select
import socket
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

ADJECTIVES = [
    "retired",
    "young",
    "meticulous",
    "ambitious",
    "soft-spoken",
    "self-taught",
    "veteran",
    "curious",
    "bilingual",
    "semi-retired",
    "newly qualified",
    "outspoken",
    "part-time",
    "award-winning",
    "struggling",
    "cheerful",
    "pragmatic",
    "idealistic",
    "overworked",
    "freelance",
    "nostalgic",
    "skeptical",
    "energetic",
    "methodical",
    "reclusive",
    "community-minded",
    "tech-savvy",
    "old-fashioned",
    "restless",
    "patient",
    "competitive",
    "thoughtful",
    "stubborn",
    "generous",
    "anxious",
    "witty",
    "disciplined",
    "eccentric",
    "devout",
    "frugal",
]
OCCUPATIONS = [
    "nurse",
    "welder",
    "chess coach",
    "marine biologist",
    "bakery owner",
    "high-school physics teacher",
    "bus driver",
    "tax accountant",
    "violin maker",
    "emergency-room doctor",
    "software tester",
    "beekeeper",
    "court interpreter",
    "librarian",
    "structural engineer",
    "wedding photographer",
    "sheep farmer",
    "museum curator",
    "pharmacist",
    "union organiser",
    "game designer",
    "midwife",
    "ferry captain",
    "data journalist",
    "locksmith",
    "florist",
    "climbing instructor",
    "sommelier",
    "city planner",
    "radio host",
    "tailor",
    "veterinarian",
    "crossword setter",
    "wind-turbine technician",
    "social worker",
    "pastry chef",
    "archivist",
    "mountain guide",
    "dentist",
    "street musician",
    "customs officer",
    "translator",
    "paramedic",
    "bookbinder",
    "glassblower",
    "surveyor",
    "kindergarten teacher",
    "fishmonger",
    "astronomer",
    "mechanic",
    "choir director",
    "zookeeper",
    "cartographer",
    "speech therapist",
    "roofer",
    "barista",
    "forensic accountant",
    "puppeteer",
    "tram conductor",
    "perfumer",
]
PLACES = [
    "in Lisbon",
    "from rural Ohio",
    "in a Norwegian fishing village",
    "in downtown Nairobi",
    "from Osaka",
    "in a Scottish mill town",
    "from the outskirts of Lyon",
    "in Buenos Aires",
    "on a Greek island",
    "in Montreal",
    "from a mining town in Chile",
    "in Seoul",
    "in the Welsh valleys",
    "from Kerala",
    "in Reykjavik",
    "in Marseille",
    "from a kibbutz",
    "in Tasmania",
    "in Krakow",
    "from New Orleans",
    "in a Bavarian village",
    "in Cape Town",
    "from the Faroe Islands",
    "in Hanoi",
    "in Glasgow",
    "from Sicily",
    "in Vancouver",
    "in Tallinn",
    "from Accra",
    "in a Dutch polder town",
    "in Oaxaca",
    "from Tromsø",
    "in Melbourne",
    "in Porto",
    "from Anatolia",
    "in Dublin",
]
ACTIVITIES = [
    "keeps detailed notebooks of every project",
    "volunteers at the local food bank on weekends",
    "collects vintage maps",
    "is training for a first marathon",
    "restores old motorcycles",
    "teaches evening classes to adults",
    "writes a small blog about regional history",
    "organises the neighbourhood repair café",
    "grows rare tomatoes on an allotment",
    "plays bass in a folk band",
    "mentors apprentices in the trade",
    "campaigns for safer cycling routes",
    "cares for an elderly parent",
    "reads everything about the Byzantine empire",
    "runs a weekly board-game night",
    "is learning Japanese",
    "keeps bees on the roof",
    "competes in amateur baking contests",
    "sails a small dinghy every summer",
    "builds furniture from reclaimed wood",
    "sings in a community choir",
    "photographs abandoned railway stations",
    "coaches a youth football team",
    "translates poetry as a hobby",
    "swims in the sea all year round",
    "brews cider in the garage",
    "is writing a detective novel",
    "repairs radios for neighbours",
    "studies for an evening law degree",
    "maps wildflowers for a citizen-science project",
]
EVIDENCE = [
    "They meet every week at {where} and depend on each other's work.",
    "Their paths cross daily at {where}, and each shapes how the other does the job.",
    "They have known each other for years through {where}.",
    "They were introduced at {where} and have worked side by side since.",
    "They compete for the same opportunities at {where}.",
]
WHERE = [
    "the clinic",
    "the workshop",
    "the market",
    "the union hall",
    "the club",
    "the school",
    "the harbour",
    "the library",
    "the town council",
    "the training centre",
    "a trade fair",
    "the community centre",
]
DEFAULT_RELATIONS = [
    "COLLEAGUE",
    "PATIENT_OF",
    "RIVAL",
    "MENTOR_OF",
    "FAMILY_OF",
    "FRIEND_OF",
    "CLIENT_OF",
    "STUDENT_OF",
]
SYNONYMS = {
    "COLLEAGUE": "coworker",
    "RIVAL": "competitor",
    "MENTOR_OF": "mentor",
    "FRIEND_OF": "friend",
    "CLIENT_OF": "customer",
    "FAMILY_OF": "relative",
    "STUDENT_OF": "apprentice of",
}
UNKNOWN_RELATIONS = ["ARCH_NEMESIS", "SECRET_ADMIRER_OF", "LANDLORD_OF"]
_BULLET_TYPE = re.compile(r"^\s*-\s*([A-Z][A-Z0-9_]+)\b", re.M)
DROP = object()


def _digest(*parts: Any) -> int:
    blob = "\x1f".join(str(p) for p in parts).encode("utf-8")
    return int.from_bytes(hashlib.blake2b(blob, digest_size=8).digest(), "big")


def client_of(authorization: str | None) -> str:
    """How the log names a client: a short hash of its Authorization header (never the key)."""
    return hashlib.blake2b((authorization or "").encode("utf-8"), digest_size=4).hexdigest()


def persona_text(seed: int) -> str:
    """A varied persona sentence from a 64-bit seed (about 3.5 million combinations)."""
    rng = random.Random(seed)
    adjective = rng.choice(ADJECTIVES)
    article = "An" if adjective[0] in "aeiou" else "A"
    return f"{article} {adjective} {rng.choice(OCCUPATIONS)} {rng.choice(PLACES)} who {rng.choice(ACTIVITIES)}."


@dataclass
class Reply:
    status: int
    payload: Any = None  # dict (JSON) or DROP
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    record: dict[str, Any] | None = None  # the request's log entry, completed when the answer goes out


@dataclass
class Rule:
    match: str
    fault: str
    times: int


class ScriptedLLM:
    """The behaviour behind the server: pure request → reply, with a log."""

    def __init__(
        self,
        *,
        latency: float = 0.0,
        seed: int = 0,
        model: str = "test-model",
        reject_json_schema: bool = False,
        reject_json_object: bool = False,
        fault_rates: dict[str, float] | None = None,
        retry_after: float = 1.0,
        items_per_list: int = 3,
        synonym_rate: float = 0.0,
        unknown_rate: float = 0.0,
        api_key: str | None = None,
        keep_bodies: bool = True,
        persona_pool: int | None = None,
    ) -> None:
        self.latency = latency
        self.seed = seed
        self.model = model
        self.reject_json_schema = reject_json_schema
        self.reject_json_object = reject_json_object
        self.fault_rates = dict(fault_rates or {})
        self.retry_after = retry_after
        self.items_per_list = items_per_list
        self.synonym_rate = synonym_rate
        self.unknown_rate = unknown_rate
        self.api_key = api_key
        self.keep_bodies = keep_bodies
        self.persona_pool = persona_pool
        self.queue: deque[str] = deque()
        self.rules: list[Rule] = []
        self.responders: list[Callable[[str, dict[str, Any], list[dict[str, Any]]], Any]] = []
        self.requests: list[dict[str, Any]] = []
        self.lock = threading.Lock()
        self.in_flight = 0
        self.max_in_flight = 0
        self._random = random.Random(seed)

    # -- scripting ----------------------------------------------------------------------------
    def enqueue(self, *faults: str) -> None:
        """The next requests get these faults, one each, in order ("ok" for a normal answer)."""
        with self.lock:
            self.queue.extend(faults)

    def add_rule(self, match: str, fault: str, times: int = 1) -> None:
        """Requests whose messages contain ``match`` get ``fault``, ``times`` times (-1: always)."""
        with self.lock:
            self.rules.append(Rule(match, fault, times))

    def add_responder(self, responder: Callable[[str, dict[str, Any], list[dict[str, Any]]], Any]) -> None:
        """Ask ``responder(question, schema, messages)`` first; a value other than None is the reply."""
        with self.lock:
            self.responders.append(responder)

    def reset(self) -> None:
        with self.lock:
            self.queue.clear()
            self.rules.clear()
            self.requests.clear()

    @property
    def count(self) -> int:
        """Chat completion requests received so far (faulty ones included)."""
        with self.lock:
            return sum(1 for r in self.requests if r["path"].endswith("/chat/completions"))

    def bodies(self) -> list[dict[str, Any]]:
        with self.lock:
            return [r["body"] for r in self.requests if r.get("body") is not None]

    # -- answering ----------------------------------------------------------------------------
    def _pick_fault(self, text: str) -> str:
        with self.lock:
            if self.queue:
                return self.queue.popleft()
            for rule in self.rules:
                if rule.times != 0 and rule.match in text:
                    rule.times -= 1 if rule.times > 0 else 0
                    return rule.fault
            for fault, rate in self.fault_rates.items():
                if self._random.random() < rate:
                    return fault
        return "ok"

    def answer(self, path: str, body: dict[str, Any] | None, authorization: str | None) -> Reply:
        client = client_of(authorization)
        record: dict[str, Any] = {
            "path": path,
            "time": time.time(),
            "body": body if self.keep_bodies else None,
            "client": client,
            "end": None,
            "abandoned": False,
        }
        with self.lock:
            self.requests.append(record)
        reply = self._answer(record, body, authorization)
        reply.record = record
        return reply

    def _answer(self, record: dict[str, Any], body: dict[str, Any] | None, authorization: str | None) -> Reply:
        if self.api_key is not None and authorization != f"Bearer {self.api_key}":
            record["status"] = 401
            return Reply(401, _error("invalid api key", "invalid_api_key"))
        if body is None:
            record["status"] = 400
            return Reply(400, _error("the request body is not JSON"))
        messages = body.get("messages") or []
        text = "\n".join(str(m.get("content", "")) for m in messages if isinstance(m, dict))
        response_format = body.get("response_format") or {}
        kind = response_format.get("type") if isinstance(response_format, dict) else None
        if (kind == "json_schema" and self.reject_json_schema) or (kind == "json_object" and self.reject_json_object):
            record["status"] = 400
            return Reply(400, _error(f"response_format type {kind!r} is not supported by this server"))
        fault = self._pick_fault(text)
        record["fault"] = fault
        delay = self.latency
        if fault.startswith("slow:"):
            delay += float(fault.split(":", 1)[1])
        if fault == "429":
            record["status"] = 429
            return Reply(
                429,
                _error("rate limit reached", "rate_limit_exceeded"),
                {"Retry-After": f"{self.retry_after:g}"},
                delay,
            )
        if fault in ("500", "503"):
            record["status"] = int(fault)
            return Reply(int(fault), _error("the server had an error"), {}, delay)
        if fault == "drop":
            record["status"] = 0
            return Reply(0, DROP, {}, delay)
        if fault == "echo-auth":
            record["status"] = 400
            return Reply(400, _error(f"malformed request from a client sending Authorization: {authorization}"))
        if fault == "echo-auth-reply":
            fault = f"raw:The key you sent me was {authorization} and the header Authorization: {authorization}"
        content = self.content(messages, response_format, fault, body.get("seed"))
        record["status"] = 200
        prompt_tokens = max(1, len(text) // 4)
        payload = {
            "id": f"chatcmpl-{_digest(text, time.time()):x}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": body.get("model", self.model),
            "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}],
            "usage": {
                "prompt_tokens": prompt_tokens,
                "completion_tokens": max(1, len(content) // 4),
                "total_tokens": prompt_tokens + max(1, len(content) // 4),
            },
        }
        return Reply(200, payload, {}, delay)

    def content(
        self, messages: list[dict[str, Any]], response_format: dict[str, Any], fault: str, seed: Any = None
    ) -> str:
        schema = _schema_of(messages, response_format)
        users = [str(m.get("content", "")) for m in messages if isinstance(m, dict) and m.get("role") == "user"]
        question = users[0] if users else ""
        if schema is None:
            return f"Here is a short answer about: {persona_text(_digest(self.seed, question))}"
        if fault == "invalid":
            return json.dumps({"unexpected": True, "note": "this object ignores the schema"})
        if fault.startswith("raw:"):
            return fault[4:]
        for responder in list(self.responders):
            answered = responder(question, schema, messages)
            if answered is not None:
                return json.dumps(answered, ensure_ascii=False)
        relations = _BULLET_TYPE.findall(question) or DEFAULT_RELATIONS
        digest = _digest(self.seed, question) if seed is None else _digest(self.seed, question, seed)
        value = _Filler(self, question, relations, fault).value(schema, schema, "root", digest)
        text = json.dumps(value, ensure_ascii=False)
        if fault == "malformed":
            return text[: max(1, len(text) * 3 // 5)]
        if fault == "fenced":
            return f"Sure! Here is the JSON you asked for:\n```json\n{text}\n```\nLet me know if you need more."
        return text


class _Filler:
    """Fills a JSON schema with deterministic, varied values; field names pick the generator."""

    def __init__(self, brain: ScriptedLLM, question: str, relations: list[str], fault: str) -> None:
        self.brain = brain
        self.question = question
        self.relations = relations
        self.fault = fault

    def value(self, node: dict[str, Any], root: dict[str, Any], name: str, seed: int) -> Any:
        if "$ref" in node:
            ref = node["$ref"].split("/")[-1]
            return self.value(root.get("$defs", {}).get(ref, {}), root, name, seed)
        for key in ("anyOf", "oneOf", "allOf"):
            if key in node:
                options = [o for o in node[key] if o.get("type") != "null"] or node[key]
                return self.value(options[0], root, name, seed)
        if "enum" in node and name.lower() != "relation":  # relations: from the prompt's list (faults apply)
            return node["enum"][seed % len(node["enum"])]
        if "const" in node:
            return node["const"]
        kind = node.get("type", "object" if "properties" in node else "string")
        if kind == "object":
            props = node.get("properties", {})
            return {key: self.value(sub, root, key, _digest(seed, key)) for key, sub in props.items()}
        if kind == "array":
            low = int(node.get("minItems", 1))
            high = int(node.get("maxItems", max(low, self.brain.items_per_list)))
            count = max(low, min(high, self.brain.items_per_list))
            return [self.value(node.get("items", {}), root, name, _digest(seed, i)) for i in range(count)]
        if kind == "integer":
            low, high = int(node.get("minimum", 1)), int(node.get("maximum", 100))
            return low + seed % (high - low + 1)
        if kind == "number":
            return round(float(node.get("minimum", 0)) + (seed % 1000) / 10.0, 1)
        if kind == "boolean":
            return bool(seed % 2)
        return self.string(node, name, seed)

    def string(self, node: dict[str, Any], name: str, seed: int) -> str:
        rng = random.Random(seed)
        lowered = name.lower()
        if lowered == "relation" or lowered.endswith("relation_type"):
            if self.fault.startswith("only:"):
                return self.fault.split(":", 1)[1]
            if self.fault == "unknown" or rng.random() < self.brain.unknown_rate:
                return rng.choice(UNKNOWN_RELATIONS)
            chosen = self.relations[seed % len(self.relations)]
            if rng.random() < self.brain.synonym_rate and chosen in SYNONYMS:
                return SYNONYMS[chosen]
            return chosen
        if "persona" in lowered or lowered in ("character", "description"):
            pool = self.brain.persona_pool
            text = persona_text(_digest("pool", self.brain.seed, seed % pool) if pool else seed)
        elif lowered in ("evidence", "reason", "why"):
            text = rng.choice(EVIDENCE).format(where=rng.choice(WHERE))
        elif lowered == "name":
            text = f"{rng.choice(['Ada', 'Bram', 'Chiara', 'Dmitri', 'Esi', 'Farid', 'Greta', 'Hiro'])} {rng.choice(['Okafor', 'Lindqvist', 'Moreau', 'Tanaka', 'Novak', 'Silva'])}"
        else:
            text = f"{persona_text(seed).split(' ', 1)[1][:-1].capitalize()}, as seen in a generated {name}."
        if "pattern" in node and not re.search(node["pattern"], text):  # e.g. identifiers: snake_case it
            text = f"{re.sub(r'[^a-z0-9]+', '_', text.lower()).strip('_')[:56]}_{seed % 10_000}"  # distinct per item
        low, high = int(node.get("minLength", 0)), int(node.get("maxLength", 10_000))
        text = text[:high]
        return text + "." * max(0, low - len(text))


def _schema_of(messages: list[dict[str, Any]], response_format: dict[str, Any]) -> dict[str, Any] | None:
    """The schema in ``response_format``, else the last JSON schema written into the messages."""
    if isinstance(response_format, dict) and response_format.get("type") == "json_schema":
        schema = (response_format.get("json_schema") or {}).get("schema")
        if isinstance(schema, dict):
            return schema
    decoder = json.JSONDecoder()
    for message in reversed(messages):
        content = str(message.get("content", "")) if isinstance(message, dict) else ""
        marker = content.find("JSON schema:")
        start = content.find("{", marker) if marker >= 0 else -1
        if start >= 0:
            try:
                value, _ = decoder.raw_decode(content, start)
                if isinstance(value, dict) and ("properties" in value or "$defs" in value):
                    return value
            except json.JSONDecodeError:
                continue
    if isinstance(response_format, dict) and response_format.get("type") == "json_object":
        return {"type": "object", "properties": {"answer": {"type": "string"}}}
    return None


def _error(message: str, code: str = "invalid_request_error") -> dict[str, Any]:
    return {"error": {"message": message, "type": code, "code": code}}


def _peer_closed(sock: socket.socket) -> bool:
    """Whether the client closed its end (readable with nothing to read); HTTP clients do not pipeline,
    so a connection waiting for its answer has nothing else to say."""
    try:
        readable, _, _ = select.select([sock], [], [], 0)
        return bool(readable) and sock.recv(1, socket.MSG_PEEK) == b""
    except OSError:
        return True


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, like real endpoints
    disable_nagle_algorithm = True  # headers and body go in two writes: without this, delayed ACKs add ~40 ms
    server_version = "personagraph-llm-test"
    brain: ScriptedLLM

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass

    def _send(self, reply: Reply) -> None:
        if reply.delay > 0:
            time.sleep(reply.delay)
        if reply.record is not None and _peer_closed(self.connection):
            reply.record["abandoned"] = True  # nobody is there to read it (a killed client)
            self.close_connection = True
            return
        if reply.payload is DROP:
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)
            return
        data = json.dumps(reply.payload).encode("utf-8")
        self.send_response(reply.status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for key, value in reply.headers.items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(data)
        if reply.record is not None:
            reply.record["end"] = time.time()

    def do_GET(self) -> None:
        if self.path.rstrip("/").endswith("/models"):
            model = self.server.brain.model  # type: ignore[attr-defined]
            self._send(Reply(200, {"object": "list", "data": [{"id": model, "object": "model", "owned_by": "tests"}]}))
        else:
            self._send(Reply(404, _error(f"no route {self.path}")))

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        if not self.path.rstrip("/").endswith("/chat/completions"):
            self._send(Reply(404, _error(f"no route {self.path}")))
            return
        try:
            body = json.loads(raw)
        except json.JSONDecodeError:
            body = None
        brain: ScriptedLLM = self.server.brain  # type: ignore[attr-defined]
        with brain.lock:
            brain.in_flight += 1
            brain.max_in_flight = max(brain.max_in_flight, brain.in_flight)
        try:
            self._send(
                brain.answer(self.path, body if isinstance(body, dict) else None, self.headers.get("Authorization"))
            )
        finally:
            with brain.lock:
                brain.in_flight -= 1


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 512

    def handle_error(self, request: Any, client_address: Any) -> None:
        import sys

        # A client that gave up (timeout) before the answer: expected, not worth a traceback.
        if not isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
            super().handle_error(request, client_address)


class LLMTestServer:
    """The server in a background thread; ``base_url`` is what OPENAI_BASE_URL should be."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0, **options: Any) -> None:
        self.brain = ScriptedLLM(**options)
        self._httpd = _Server((host, port), _Handler)
        self._httpd.brain = self.brain  # type: ignore[attr-defined]
        bound, self.port = self._httpd.server_address[:2]
        self.host: str = bound if isinstance(bound, str) else bytes(bound).decode()
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}/v1"

    def start(self) -> LLMTestServer:
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> LLMTestServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # Shortcuts to the scripted behaviour.
    def enqueue(self, *faults: str) -> None:
        self.brain.enqueue(*faults)

    def add_rule(self, match: str, fault: str, times: int = 1) -> None:
        self.brain.add_rule(match, fault, times)

    @property
    def count(self) -> int:
        return self.brain.count

    @property
    def requests(self) -> list[dict[str, Any]]:
        return self.brain.requests


def _rates(spec: str) -> dict[str, float]:
    rates = {}
    for part in filter(None, (p.strip() for p in spec.split(","))):
        fault, _, rate = part.partition("=")
        rates[fault] = float(rate)
    return rates


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="An OpenAI-compatible test server with scripted replies.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--latency", type=float, default=0.0, help="seconds before every answer")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--items", type=int, default=3, help="items per JSON list")
    parser.add_argument("--fault-rate", default="", help="e.g. 429=0.05,500=0.02,malformed=0.01")
    parser.add_argument("--retry-after", type=float, default=1.0)
    parser.add_argument("--reject-json-schema", action="store_true")
    parser.add_argument("--synonym-rate", type=float, default=0.0)
    parser.add_argument("--unknown-rate", type=float, default=0.0)
    parser.add_argument("--no-log-bodies", action="store_true", help="keep only counts (long benchmark runs)")
    parser.add_argument("--persona-pool", type=int, help="draw related personas from this many fixed texts")
    args = parser.parse_args(argv)
    server = LLMTestServer(
        args.host,
        args.port,
        latency=args.latency,
        seed=args.seed,
        items_per_list=args.items,
        fault_rates=_rates(args.fault_rate),
        retry_after=args.retry_after,
        reject_json_schema=args.reject_json_schema,
        synonym_rate=args.synonym_rate,
        unknown_rate=args.unknown_rate,
        keep_bodies=not args.no_log_bodies,
        persona_pool=args.persona_pool,
    )
    print(f"listening on {server.base_url}", flush=True)
    try:
        server._httpd.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        server._httpd.server_close()


if __name__ == "__main__":
    main()
