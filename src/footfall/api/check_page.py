"""`check.html`: a page to check the count against a hand count, live (operator).

An installer stands by the door, or watches the counter's picture on the page, presses Start,
taps In or Out (buttons, or the keys I / O or the arrow keys up / down) for each person who
crosses, and presses Stop after ten minutes or so. The page reads `live-sum.json` every second
meanwhile (the counter's count so far is shown beside the tally), and once more a few seconds
after Stop (a person is counted when they leave the area, a moment after the tap); what the
counter counted over the check is what its totals rose by (a new day, or `clear-data`, starts
them from 0 again: then what they show was added). It then prints both counts, the accuracy
each way and combined as `footfall eval` scores a recording, 1 - (|diff in| + |diff out|) /
(hand in + hand out), what to do when it is low, and the check as JSON to keep (the taps with
their times). A check recorded on the counter (`check-record` / `check-save`) can then be fitted
to (`check-fit`, api/check_fit.py): the page shows what the fit found and sets what it proposes
with one button (`setparams`). Static like `setup.html`: everything comes from the API, nothing
is stored.

    install_check_page(ctx)     # footfall serve, beside the setup page
"""

from __future__ import annotations

from starlette.responses import HTMLResponse, Response

from footfall.api.actions import Action, ApiContext, Call
from footfall.api.setup_page import HEADERS

# Under this many people a check says little (one person is over 5 % of the count).
FEW_PEOPLE = 20
# Counted this near, the counter is right at the door (the project's accuracy target).
GOOD_ACCURACY = 0.97
# Seconds the page waits after Stop before it reads the counter's totals the last time.
SETTLE_S = 4
# A check under way is kept in the browser (localStorage) and goes on after the page is loaded
# again within this many seconds (a phone that put the tab away, a reload).
RESUME_S = 7200
# A tap and a passage of the same way at most this many seconds apart are one person (a hand
# taps up to a second or so after the person crossed; `footfall eval` pairs frames within 1 s).
WINDOW_S = 2

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>footfall: check the count</title>
<style>
body { font: 15px/1.4 system-ui, sans-serif; margin: 1rem; max-width: 60rem; color: #222; }
#view { display: block; width: min(100%, 40rem); min-height: 10rem; background: #333; }
.tally { font-size: 2.2rem; font-weight: 700; min-width: 3ch; display: inline-block; }
button { font: inherit; padding: 0.5rem 1.1rem; margin: 0.3rem 0.4rem 0.3rem 0;
         touch-action: manipulation; }  /* quick taps are taps, not a zoom */
button.big { font-size: 1.3rem; padding: 0.8rem 2rem; }
.taps { display: flex; gap: 0.8rem; max-width: 40rem; }  /* side by side, a thumb each */
.taps button { flex: 1; font-size: 1.8rem; font-weight: 700; padding: 1.4rem 0; margin: 0; }
#result.bad { color: #b00020; } #result.good { color: #11733b; }
textarea { width: 100%; height: 8rem; font: 12px monospace; }
</style></head>
<body>
<h1>Check the count</h1>
<p>Count the people who cross the doorway by hand while the counter counts them, and compare.
Press Start when no one is in the counting area, tap <b>In</b> or <b>Out</b> for each person
as they cross it (or press <kbd>I</kbd> / <kbd>&uarr;</kbd> and <kbd>O</kbd> /
<kbd>&darr;</kbd>), and press Stop after ten minutes of a busy hour, again when no one is in
the area. Count at least @FEW@ people: under that, one person is more than 5 % of the count.
The counter's picture is below, with the area it counts on drawn.</p>
<img id="view" alt="what the camera sees">
<p>
<button type="button" id="start" class="big">Start</button>
<button type="button" id="stop" class="big" disabled>Stop</button>
</p>
<p class="taps">
<button type="button" id="in" disabled>In</button>
<button type="button" id="out" disabled>Out</button>
</p>
<p><button type="button" id="undo" disabled>Undo the last tap</button></p>
<p><label><input type="checkbox" id="record-it"> Record the check (on the counter, up to half an
hour), with your taps as its hand count: the counter can then be fitted to it below, and
<code>footfall eval</code> shows what was missed</label></p>
<p>You: <span class="tally" id="hand-in">0</span> in, <span class="tally" id="hand-out">0</span>
out &nbsp; <span id="clock" role="timer"></span><br>
The counter, over the same time: <span id="counter-in">&ndash;</span> in,
<span id="counter-out">&ndash;</span> out</p>
<p id="result" role="status">Not started.</p>
<p id="pairs"></p>
<p id="saved" role="status"></p>
<p id="kept" role="status"></p>
<textarea id="record" readonly hidden aria-label="the check, as JSON"></textarea>
<section id="fitting" hidden>
<h2>Fit the counter to a recorded check</h2>
<p>The counter counts the recording again, told one mounting height after another, and finds the
one at which it counts as you did; it proposes it (or to count only the people it follows one
by one) and sets nothing until you press the button. It counts the recording about twelve
times, at a lower priority than the counting: ten minutes of a 640&times;480 camera take 10 to
15 minutes.</p>
<p><label>Recording: <select id="fit-of"></select></label>
<button type="button" id="fit">Fit</button>
<button type="button" id="fit-cancel" hidden>Cancel</button></p>
<p id="fit-state" role="status"></p>
<table id="fit-tried" hidden><thead><tr><th>height (cm)</th><th>width (px)</th><th>in</th>
<th>out</th><th>accuracy</th></tr></thead><tbody></tbody></table>
<p><button type="button" id="apply" hidden></button> <span id="applied" role="status"></span></p>
</section>
<script>
"use strict";
const API = ".apioperator";
const FEW = @FEW@, GOOD = @GOOD@, SETTLE_MS = @SETTLE@ * 1000, WINDOW_MS = @WINDOW@ * 1000;
const $ = (id) => document.getElementById(id);
const KEPT = "footfall-check", RESUME_MS = @RESUME@ * 1000;  // a check under way, kept
let taps = [];          // {way: "in" | "out", at: ISO time}, in the order tapped
let began = null;       // Date the check started, null before
let ended = null;       // ... and stopped
let last = null;        // the counter's totals [in, out] as last read
let rose = [0, 0];      // what they rose by since Start
let polling = null;
let passages = [];      // the counter's passages from the event stream: {id, way, at: its time}
let startId = 0;        // the id of the last passage before Start
let offset = null;      // this browser's clock less the counter's (ms): least arrival - time

function listen() {     // the counter's passages as they come (the browser reconnects by itself)
  const stream = new EventSource("/footfall/events?types=passage");
  stream.addEventListener("passage", (e) => {
    const body = JSON.parse(e.data), time = Date.parse(body.time), id = Number(e.lastEventId);
    if (!Number.isFinite(time)) return;
    const gap = Date.now() - time;
    if (offset === null || gap < offset) offset = gap;
    if (ended === null || Date.now() <= ended.getTime() + SETTLE_MS) {
      passages.push({id: id, way: body.direction, at: time});
      passages = passages.slice(-5000);
    }
  });
}
function clock(ms) { return new Date(ms).toLocaleTimeString(); }
function paired() {     // the most taps and passages of one way within WINDOW_MS of each other
  const mine = passages.filter((p) => p.id > startId);
  const out = {matched: 0, passages: mine.length, missed: [], extra: []};
  for (const way of ["in", "out"]) {
    const t = taps.filter((x) => x.way === way).map((x) => Date.parse(x.at)).sort((a, b) => a - b);
    const c = mine.filter((x) => x.way === way).map((x) => x.at + (offset || 0))
      .sort((a, b) => a - b);
    let j = 0;
    for (const at of t) {   // in time order, each tap takes the earliest passage near enough
      while (j < c.length && c[j] < at - WINDOW_MS) out.extra.push([way, c[j++]]);
      if (j < c.length && c[j] <= at + WINDOW_MS) { out.matched++; j++; }
      else out.missed.push([way, at]);
    }
    while (j < c.length) out.extra.push([way, c[j++]]);
  }
  return out;
}
function pairable(p) {  // the stream brought the passages the totals rose by (give or take one)
  return Math.abs(p.passages - (rose[0] + rose[1])) <= 1;
}

function say(text, good) {
  $("result").textContent = text;
  $("result").className = good === undefined ? "" : (good ? "good" : "bad");
}
function hand(way) { return taps.filter((t) => t.way === way).length; }
function shown() {
  $("hand-in").textContent = hand("in");
  $("hand-out").textContent = hand("out");
  $("undo").disabled = ended !== null || taps.length === 0;
}
function minutes(ms) {
  const s = Math.round(ms / 1000);
  return Math.floor(s / 60) + " min " + String(s % 60).padStart(2, "0") + " s";
}

async function totals() {  // the counter's totals of today, [in, out]; null when unreachable
  try {
    const reply = await fetch(API + "?live-sum.json", {cache: "no-store"});
    if (!reply.ok) return null;
    const body = await reply.json();
    return [body.in, body.out];
  } catch (e) { return null; }
}
function add(now) {     // what the totals rose by since they were last read
  for (const k of [0, 1]) {
    // a new day (or clear-data) starts them again: what they show now was added since
    rose[k] += now[k] >= last[k] ? now[k] - last[k] : now[k];
  }
  last = now;
  $("counter-in").textContent = rose[0];
  $("counter-out").textContent = rose[1];
  keep();
}
async function poll() {
  const now = await totals();
  if (now !== null && last !== null) add(now);
  if (began !== null && ended === null) {
    $("clock").textContent = minutes(Date.now() - began.getTime());
  }
}

function accuracy(counted, truth) {  // 1 - |diff| / truth, as footfall eval scores
  return truth === 0 ? (counted === 0 ? 1 : 0) : Math.max(0, 1 - Math.abs(counted - truth) / truth);
}
function verdict() {    // the verdict and the tap-by-tap pairs shown; the pairs returned
  const h = [hand("in"), hand("out")], c = rose;
  const people = h[0] + h[1];
  const combined = people === 0 ? (c[0] + c[1] === 0 ? 1 : 0)
    : 1 - (Math.abs(c[0] - h[0]) + Math.abs(c[1] - h[1])) / people;
  let text = "Over " + minutes(ended - began) + " you counted " + h[0] + " in and " + h[1] +
    " out; the counter " + c[0] + " in and " + c[1] + " out. Combined accuracy " +
    combined.toFixed(3) + " (in " + accuracy(c[0], h[0]).toFixed(3) + ", out " +
    accuracy(c[1], h[1]).toFixed(3) + ").";
  if (people < FEW) {
    text += " That is fewer than " + FEW + " people: count a busier or a longer while to" +
      " know the counter's accuracy.";
  } else if (combined >= GOOD) {
    text += " The counter counts this door right.";
  } else {
    text += " Check the counting area on the setup page (across the whole doorway, about as" +
      " deep as a person seen from above is long, with the right way as in); at a door where" +
      " people crowd, record a busy ten minutes, count them by hand and let footfall eval" +
      " RECORDING TRUTH.json --fit find the mounting height that counts them right; where" +
      " people never crowd, try Counter.Crowds = 0.";
  }
  say(text, people >= FEW ? combined >= GOOD : undefined);
  const p = paired();
  let detail = "";
  if (!pairable(p)) {  // a proxy that does not pass the stream
    detail = "Tap by tap: not shown, the counter's event stream (/footfall/events) brought " +
      p.passages + " of its " + (c[0] + c[1]) + " passages.";
  } else if (p.passages > 0 || taps.length > 0) {
    detail = "Tap by tap (within " + WINDOW_MS / 1000 + " s, from the counter's event stream, " +
      p.passages + " passages): " + p.matched + " of your " + taps.length + " taps" +
      " matched a passage the same way.";
    const list = (items) => items.slice(0, 20).map(([w, at]) => w + " " + clock(at)).join(", ") +
      (items.length > 20 ? ", \u2026" : "");
    if (p.missed.length) detail += " No passage near your taps at " + list(p.missed) + ".";
    if (p.extra.length) detail += " No tap near the passages at " + list(p.extra) + ".";
  }
  $("pairs").textContent = detail;
  $("record").value = JSON.stringify({
    started: began.toISOString(), stopped: ended.toISOString(),
    hand: {in: h[0], out: h[1]}, counter: {in: c[0], out: c[1]},
    combined_accuracy: Number(combined.toFixed(4)), taps: taps,
    passages: passages.filter((x) => x.id > startId).map((x) => ({
      way: x.way, at: new Date(x.at + (offset || 0)).toISOString()})),
    matched: p.matched,
  }, null, 1);
  $("record").hidden = false;
  return p;
}

async function action(query) {  // an operator action; [ok, the text it answered]
  try {
    const reply = await fetch(API, {method: "POST", body: query,  // a long check: in the body
      headers: {"Content-Type": "application/x-www-form-urlencoded"}});
    return [reply.ok, (await reply.text()).trim()];
  } catch (e) { return [false, "the counter does not answer"]; }
}
async function post(query) {  // an operator action answering JSON; [ok, its JSON or sentence]
  const [ok, text] = await action(query);
  if (!ok) return [false, text];
  try { return [true, JSON.parse(text)]; }
  catch (e) { return [false, "the counter does not answer"]; }  // not JSON: not the counter
}
let recording = false;  // this check is being recorded on the counter
async function saveRecording() {  // the taps, in the counter's clock, as its hand count
  const query = "check-save&" + taps.map((t) => "tap=" + encodeURIComponent(
    t.way + "," + new Date(Date.parse(t.at) - (offset || 0)).toISOString())).join("&");
  const [ok, body] = await post(query);
  $("saved").textContent = ok
    ? "Recorded " + body.frames + " frames to " + body.video + ", with your " +
      (body.in + body.out) + " taps as its hand count in " + body.truth +
      (body.left_out ? " (" + body.left_out + " taps fell outside it)" : "") +
      ". On the counter: " + body.command
    : "The recording was not saved: " + body;
  return ok ? body.video.split("/").pop() : null;
}
async function keepResult(p, recorded) {  // the outcome, kept on the counter with its alarms
  const fields = {hand_in: hand("in"), hand_out: hand("out"), counter_in: rose[0],
    counter_out: rose[1], started: began.toISOString(), stopped: ended.toISOString()};
  if (pairable(p)) fields.matched = p.matched;
  if (recorded) fields.recording = recorded;
  const [ok, body] = await post("check-result&" + Object.entries(fields)
    .map(([k, v]) => k + "=" + encodeURIComponent(String(v))).join("&"));
  $("kept").textContent = ok
    ? "Kept on the counter as check " + body.id + ": alarm-export-json&kind=check lists the" +
      " checks of a day (and a chain's database holds them under this counter's serial)."
    : "Not kept on the counter: " + body;
}

let fitting = null;     // the timer following a fit under way
function fitShown(s) {  // check-fit's state, shown; true while a fit runs
  const names = s.recordings.map((r) => r.name);
  const chosen = $("fit-of").value;
  $("fit-of").replaceChildren(...s.recordings.map((r) => new Option(r.name + " (" + r.in +
    " in, " + r.out + " out tapped)", r.name)));
  if (names.includes(chosen)) $("fit-of").value = chosen;
  $("fitting").hidden = names.length === 0 && s.state === "idle";
  const busy = s.state === "fitting";
  $("fit").disabled = busy || names.length === 0;
  $("fit-cancel").hidden = !busy;
  $("fit-tried").hidden = s.state !== "done";
  $("apply").hidden = true;
  if (s.state === "idle") { $("fit-state").textContent = ""; return false; }
  const of = s.recording;
  if (busy) {
    const p = s.progress;
    $("fit-state").textContent = "Fitting the counter to " + of + "\u2026 " +
      Math.round(100 * p.share) + " % (count " + p.count + " of about " + p.counts +
      (p.left_s === null ? "" : ", about " + minutes(1000 * p.left_s) + " left") + ")";
  } else if (s.state === "failed") {
    $("fit-state").textContent = "The fit of " + of + " failed: " + s.error;
  } else if (s.state === "cancelled") {
    $("fit-state").textContent = "The fit of " + of + " was cancelled.";
  } else {
    const people = s.hand.in + s.hand.out;
    $("fit-state").textContent = s.says + (people < FEW ? " Only " + people + " people were" +
      " tapped: count at least " + FEW + " before you set anything from a fit." : "");
    $("fit-tried").tBodies[0].replaceChildren(...s.fit.tried.map((t) => {
      const row = document.createElement("tr");
      for (const v of [t.height_cm, t.person_px, t.in, t.out, t.combined_accuracy.toFixed(3)]) {
        row.insertCell().textContent = String(v);
      }
      if (t.height_cm === s.fit.height_cm) row.style.fontWeight = "700";
      return row;
    }));
    if (s.set !== null && people >= FEW) {
      $("apply").textContent = "Set " + s.set.replaceAll("&", ", ") + " on the counter";
      $("apply").dataset.set = s.set;
      $("apply").hidden = false;
    }
  }
  return busy;
}
async function fitFollow() {  // check-fit's state, read again every 2 s while a fit runs
  clearTimeout(fitting);
  try {
    const reply = await fetch(API + "?check-fit", {cache: "no-store"});
    if (reply.ok && fitShown(await reply.json())) fitting = setTimeout(fitFollow, 2000);
  } catch (e) { fitting = setTimeout(fitFollow, 5000); }  // the counter away: try again
}
$("fit").addEventListener("click", async () => {
  $("applied").textContent = "";
  const [ok, body] = await post("check-fit&recording=" + encodeURIComponent($("fit-of").value));
  if (!ok) $("fit-state").textContent = "Not fitted: " + body;
  fitFollow();
});
$("fit-cancel").addEventListener("click", async () => {
  await action("check-fit&cancel=1");
  fitFollow();
});
$("apply").addEventListener("click", async () => {
  const set = $("apply").dataset.set;
  const [ok, body] = await action("setparams&" + set);
  $("applied").textContent = ok ? "Set: " + set.replaceAll("&", ", ") + ". The counter counts" +
    " so from now on; check it with another check." : "Not set: " + body;
  if (ok) $("apply").hidden = true;
});

function tap(way) {
  if (began === null || ended !== null) return;
  taps.push({way: way, at: new Date().toISOString()});
  shown();
  keep();
}

function keep() {  // the check under way, so that a reload (a phone's tab put away) goes on
  try {
    if (began === null || ended !== null) { localStorage.removeItem(KEPT); return; }
    localStorage.setItem(KEPT, JSON.stringify({taps: taps, began: began.toISOString(),
      last: last, rose: rose, startId: startId, recording: recording, offset: offset}));
  } catch (e) { /* storage off (a private window): a reload starts afresh */ }
}
function resume() {  // go on with a check kept within RESUME_MS; true if there was one
  let kept = null;
  try { kept = JSON.parse(localStorage.getItem(KEPT) || "null"); } catch (e) { kept = null; }
  if (kept === null || !(Date.now() - Date.parse(kept.began) <= RESUME_MS)) return false;
  taps = kept.taps; began = new Date(kept.began); ended = null; last = kept.last;
  rose = kept.rose; startId = kept.startId; recording = kept.recording;
  if (offset === null) offset = kept.offset;  // the clocks' difference, until a passage says
  $("record-it").checked = recording;
  for (const id of ["in", "out", "stop"]) $(id).disabled = false;
  $("start").disabled = true;
  $("counter-in").textContent = rose[0];
  $("counter-out").textContent = rose[1];
  shown();
  say("Resumed the check started at " + clock(began.getTime()) + " (the page was loaded" +
    " again): go on tapping.");
  polling = setInterval(poll, 1000);
  awake(true);
  return true;
}
let lock = null;       // the screen kept on while checking (where the browser can)
async function awake(on) {
  try {
    if (on && lock === null && "wakeLock" in navigator) {
      lock = await navigator.wakeLock.request("screen");
      lock.addEventListener("release", () => { lock = null; });
    } else if (!on && lock !== null) {
      await lock.release();
    }
  } catch (e) { lock = null; }  // refused (battery saver): the screen may dim
}
document.addEventListener("visibilitychange", () => {  // a lock ends with the page hidden
  if (document.visibilityState === "visible" && began !== null && ended === null) awake(true);
});
$("in").addEventListener("click", () => tap("in"));
$("out").addEventListener("click", () => tap("out"));
$("undo").addEventListener("click", () => { taps.pop(); shown(); keep(); });
document.addEventListener("keydown", (e) => {
  if (e.repeat || e.ctrlKey || e.metaKey || e.altKey) return;  // a key held is one tap
  const key = e.key.toLowerCase();
  if (key === "i" || key === "arrowup") { tap("in"); e.preventDefault(); }
  if (key === "o" || key === "arrowdown") { tap("out"); e.preventDefault(); }
});

$("start").addEventListener("click", async () => {
  $("start").disabled = true;
  say("reading the counter\\u2026");
  const now = await totals();
  if (now === null) {
    say("The counter does not answer: check the connection and start again.", false);
    $("start").disabled = false;
    return;
  }
  recording = false;
  $("saved").textContent = "";
  $("kept").textContent = "";
  if ($("record-it").checked) {
    const [ok, body] = await post("check-record&seconds=1800");
    recording = ok;
    $("saved").textContent = ok ? "Recording to " + body.recording + " on the counter."
      : "Not recorded: " + body;
  }
  last = now; rose = [0, 0]; taps = []; began = new Date(); ended = null;
  startId = passages.length ? passages[passages.length - 1].id : 0;
  $("pairs").textContent = "";
  add(now);
  $("record").hidden = true;
  for (const id of ["in", "out", "stop"]) $(id).disabled = false;
  shown();
  say("Counting: tap In or Out for each person who crosses.");
  polling = setInterval(poll, 1000);
  keep();
  awake(true);
});
$("stop").addEventListener("click", async () => {
  ended = new Date();
  keep();  // no longer under way: a reload starts afresh
  awake(false);
  for (const id of ["in", "out", "stop"]) $(id).disabled = true;
  shown();
  say("Stopped: waiting " + SETTLE_MS / 1000 + " s for the counter to count the last" +
    " people as they leave the area\\u2026");
  await new Promise((done) => setTimeout(done, SETTLE_MS));
  clearInterval(polling);
  await poll();
  const pairs = verdict();
  const recorded = recording ? await saveRecording() : null;
  await keepResult(pairs, recorded);
  if (recorded !== null) {  // offered at once for a fit
    await fitFollow();
    $("fit-of").value = recorded;
  }
  $("start").disabled = false;
  $("start").textContent = "Start again";
});

function picture() {    // the counter's latest frame, drawn on; the next when it is shown
  const next = new Image();
  next.onload = () => { $("view").src = next.src; setTimeout(picture, 500); };
  next.onerror = () => setTimeout(picture, 2000);
  next.src = API + "?snapshot.jpg&t=" + Date.now();
}
picture();
listen();
resume();
fitFollow();
</script>
</body></html>
"""

BODY = (
    PAGE.replace("@FEW@", str(FEW_PEOPLE))
    .replace("@GOOD@", repr(GOOD_ACCURACY))
    .replace("@SETTLE@", str(SETTLE_S))
    .replace("@WINDOW@", str(WINDOW_S))
    .replace("@RESUME@", str(RESUME_S))
)


async def check_page(call: Call) -> Response:
    """`check.html`: the live hand-count check (static; it talks to the API itself)."""
    return HTMLResponse(BODY, headers=HEADERS)


def install_check_page(ctx: ApiContext) -> None:
    """Register `check.html` at operator level (it shows the camera's picture, as the setup
    page does)."""
    ctx.actions.register(Action("check.html", check_page, level="operator"), replace=True)
