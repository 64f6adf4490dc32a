// A Digest client written the way SPEC.md §1 says a TypeScript MCP client does it: the first
// request goes bare, the FIRST (or, with --last, the LAST) WWW-Authenticate challenge is parsed
// with regular expressions, qop is copied verbatim, the nonce is reused with a rising nc, and
// parallel requests share one nc with different cnonces. Plain JS on Node's fetch.
// Usage: node digest_client.mjs BASE USER PASSWORD [--last] [--sha256]
// Prints one JSON object with what it parsed and the statuses it saw.
import { createHash, randomBytes } from "node:crypto";

const [base, user, password, ...flags] = process.argv.slice(2);
const pickLast = flags.includes("--last");
const api = `${base}/local/tvpc/.api`;
const operator = `${base}/local/tvpc/.apioperator`;

function challenges(header) {
  // fetch joins several WWW-Authenticate headers with ", "; split before each scheme name.
  return header.split(/,\s*(?=Digest\s|Basic\s)/i);
}

function field(challenge, name) {
  const m = new RegExp(`${name}=(?:"([^"]*)"|([^,\\s]*))`, "i").exec(challenge);
  return m ? (m[1] ?? m[2]) : undefined;
}

const session = { nc: 0 };

function hashOf(algorithm) {
  return (text) => createHash(algorithm === "SHA-256" ? "sha256" : "md5").update(text).digest("hex");
}

function authorization(method, uri, nc, cnonce) {
  const { realm, nonce, qop, algorithm } = session;
  const h = hashOf(algorithm);
  const ha1 = h(`${user}:${realm}:${password}`);
  const ha2 = h(`${method}:${uri}`);
  const ncHex = nc.toString(16).padStart(8, "0");
  const response = h(`${ha1}:${nonce}:${ncHex}:${cnonce}:${qop}:${ha2}`);
  return `Digest username="${user}", realm="${realm}", nonce="${nonce}", uri="${uri}", ` +
    `algorithm=${algorithm}, qop=${qop}, nc=${ncHex}, cnonce="${cnonce}", response="${response}"`;
}

function learn(response) {
  const all = challenges(response.headers.get("www-authenticate") ?? "");
  const chosen = pickLast ? all[all.length - 1] : all[0];
  session.realm = field(chosen, "realm");
  session.nonce = field(chosen, "nonce");
  session.qop = field(chosen, "qop"); // copied verbatim, as the client does
  session.algorithm = field(chosen, "algorithm") ?? "MD5";
  session.challenges = all.length;
}

async function call(url, { method = "GET", body, nc, cnonce } = {}) {
  const target = new URL(url);
  const uri = target.pathname + target.search;
  const headers = { Authorization: authorization(method, uri, nc, cnonce) };
  if (body !== undefined) headers["Content-Type"] = "application/x-www-form-urlencoded";
  return fetch(url, { method, headers, body });
}

async function get(url, options = {}) {
  session.nc += 1;
  let response = await call(url, { ...options, nc: session.nc, cnonce: randomBytes(8).toString("hex") });
  if (response.status === 401) { // stale or first: learn the new nonce, keep counting nc
    learn(response);
    session.nc += 1;
    response = await call(url, { ...options, nc: session.nc, cnonce: randomBytes(8).toString("hex") });
  }
  return response;
}

const result = { statuses: {} };
const bare = await fetch(`${api}?live-sum.json`);
result.statuses.bare = bare.status;
learn(bare);
result.challenges = session.challenges;
result.algorithm = session.algorithm;
result.qop = session.qop;
const firstNonce = session.nonce;

const live = await get(`${api}?live-sum.json`);
result.statuses.live = live.status;
result.live = await live.json();
const days = await get(`${api}?list-cnt.json`);
result.days = (await days.json()).days;
const json15 = await get(`${api}?export-json&date=20170512%2C20170513&res=15m`);
result.statuses.json15 = json15.status;
result.json15 = await json15.json();
// A URL built with URLSearchParams writes the action as `export-csv=`.
const query = new URLSearchParams({ "export-csv": "", date: "20170512-20170513", res: "1h" });
const csv = await get(`${api}?${query}`);
result.csv = await csv.text();
const cntpos = await get(`${api}?cntpos.json`);
result.cntpos = await cntpos.json();
const params = await get(`${api}?params.json`);
result.params = await params.json();
result.nonceReused = session.nonce === firstNonce;

// Parallel polling: the same nc, different cnonces (SPEC §1: only exact repeats are refused).
session.nc += 1;
const sameNc = session.nc;
const parallel = await Promise.all(
  Array.from({ length: 20 }, () =>
    call(`${api}?live-sum.json`, { nc: sameNc, cnonce: randomBytes(8).toString("hex") })),
);
result.parallel = parallel.map((r) => r.status);

// An exact repeat of (nonce, nc, cnonce) is a replay.
session.nc += 1;
const replayed = { nc: session.nc, cnonce: "0123456789abcdef" };
result.statuses.replayFirst = (await call(`${api}?live-sum.json`, replayed)).status;
result.statuses.replaySecond = (await call(`${api}?live-sum.json`, replayed)).status;

// Operator actions with a POST body, then the effect read back.
const set = await get(`${operator}?setparams`, { method: "POST", body: "Counter.Height=290" });
result.statuses.setparams = set.status;
result.setparams = (await set.text()).trim();
const after = await get(`${api}?params.json`);
result.heightAfter = (await after.json()).Counter.Height;
const logs = await get(`${operator}?show-logs`);
result.statuses.showLogs = logs.status;
result.nc = session.nc;
console.log(JSON.stringify(result));
