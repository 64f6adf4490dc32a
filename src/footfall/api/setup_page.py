"""`setup.html`: a page to draw the counting area on what the camera sees (operator).

An installer opens `/local/tvpc/.apioperator?setup.html` in a browser (it asks for an operator's
login) and drags across the picture; the page shows the area being drawn over the counter's own
`snapshot.jpg` (refreshed twice a second, the saved area, tracks and counts drawn by the
counter), fills in its numbers (editable), and saves it with one `setparams` in the picture's own
pixels (`Area.Width` x `Area.Height` = the frame's size), with the `in` direction and the
mounting height. The page is static: everything it knows comes from `params.json` and the
pictures (and the counting status, `status.json`: the person width counted with, and the
mounting height that gives a learnt one), everything it changes goes through `setparams`
(validated, all or nothing, persisted).

    install_setup_page(ctx)     # footfall serve, beside install_view
"""

from __future__ import annotations

from starlette.responses import HTMLResponse, Response

from footfall.api.actions import Action, ApiContext, Call
from footfall.vision.person import SMALL_PERSON_SHARE

HEADERS = {
    "Cache-Control": "no-store",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": (
        "default-src 'none'; img-src 'self'; connect-src 'self'; style-src 'unsafe-inline'; "
        "script-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
    ),
}

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>footfall: counting area</title>
<style>
body { font: 15px/1.4 system-ui, sans-serif; margin: 1rem; max-width: 60rem; color: #222; }
#stage { position: relative; width: min(100%, 48rem); line-height: 0; background: #333;
         touch-action: none; }
#view { display: block; width: 100%; min-height: 12rem; }
#draw { position: absolute; left: 0; top: 0; width: 100%; height: 100%; cursor: crosshair; }
fieldset { border: 1px solid #ccc; margin: 0.8rem 0; }
label { display: inline-block; margin: 0.2rem 0.8rem 0.2rem 0; }
input[type=number] { width: 5.5em; }
#status { margin-left: 0.8rem; font-weight: 600; }
#status.bad { color: #b00020; } #status.good { color: #11733b; }
</style></head>
<body>
<h1>Counting area</h1>
<p>Drag across the picture to draw the area: across the whole doorway, about as deep as a
person seen from above is long. A person is counted when they cross it from one edge to the
other. What you draw is blue; the counter draws the saved area, the tracks and today's counts
itself. Save to apply it: counting follows from the next frame.</p>
<div id="stage"><img id="view" alt="what the camera sees"><canvas id="draw"></canvas></div>
<p id="counting" role="status">&hellip;</p>
<form id="form">
<fieldset><legend>Area, in pixels of the picture (<span id="size">?</span>)</legend>
<label>Left <input id="Left" type="number" min="0" step="1" required></label>
<label>Right <input id="Right" type="number" min="1" step="1" required></label>
<label>Upper edge <input id="YFirst" type="number" min="0" step="1" required></label>
<label>Lower edge <input id="YLast" type="number" min="1" step="1" required></label>
<label>Curvature (radius, 0 = straight) <input id="Radius" type="number" min="0" step="1"
 value="0"></label>
</fieldset>
<fieldset><legend>Counter</legend>
<label>Picture turned <select id="Rotation" title="for a doorway people cross left and right:
turn the picture so that they cross it up and down, then draw the area">
<option value="0">not turned</option><option value="90">90&deg; clockwise</option>
<option value="180">180&deg;</option><option value="270">90&deg; anticlockwise</option>
</select></label>
<label>Counted as in: people moving <select id="InDirection">
<option value="up">up the picture</option><option value="down">down the picture</option>
</select></label>
<label>Mounting height, cm <input id="Height" type="number" min="150" max="1000" step="1"
 required></label>
<label><input id="AutoSize" type="checkbox"> learn how wide a person is from the footage</label>
<button type="button" id="use-height" hidden></button>
</fieldset>
<button type="submit" id="save">Save</button><span id="status" role="status"></span>
</form>
<p>Saved? <a href="?check.html">Check the count against your own hand count</a>, live.</p>
<script>
"use strict";
const API = ".apioperator";
const SMALL_SHARE = @SMALL_SHARE@;  // a learnt width under this share of the picture: too small
const view = document.getElementById("view");
const canvas = document.getElementById("draw");
const status = document.getElementById("status");
const fields = ["Left", "Right", "YFirst", "YLast", "Radius"];
let size = null;        // [width, height] of the picture, once the first one came
let saved = null;       // params.json as last read
let drag = null;        // [x, y] where a drag began

function say(text, good) {
  status.textContent = text;
  status.className = good === undefined ? "" : (good ? "good" : "bad");
}
function value(id) { return Number(document.getElementById(id).value); }
function set(id, v) { document.getElementById(id).value = String(Math.round(v)); }

function picture() {    // the counter's latest frame, drawn on; the next one when it is shown
  const next = new Image();
  next.onload = () => {
    view.src = next.src;
    if (size === null || size[0] !== next.naturalWidth || size[1] !== next.naturalHeight) {
      size = [next.naturalWidth, next.naturalHeight];
      canvas.width = size[0]; canvas.height = size[1];
      document.getElementById("size").textContent = size[0] + " \\u00d7 " + size[1];
      if (saved !== null) fill(saved);
    }
    setTimeout(picture, 500);
  };
  next.onerror = () => {  // none yet (the camera connecting), or a moment's gap: try again
    if (size === null) say("no picture from the camera yet: retrying", false);
    setTimeout(picture, 2000);
  };
  next.src = API + "?snapshot.jpg&t=" + Date.now();
}

function fill(params) { // the saved area, scaled from Area.Width x Area.Height to the picture
  const a = params.Area, sx = size[0] / a.Width, sy = size[1] / a.Height;
  set("Left", a.Left * sx); set("Right", a.Right * sx);
  set("YFirst", a.YFirst * sy); set("YLast", a.YLast * sy);
  set("Radius", a.Radius * Math.sqrt(sx * sy));
  document.getElementById("InDirection").value = a.InDirection;
  set("Height", params.Counter.Height);
  document.getElementById("AutoSize").checked = params.Counter.AutoSize === 1;
  document.getElementById("Rotation").value = String(params.Counter.Rotation);
  paint();
}

async function send(pairs) {  // one setparams; true when the counter took it
  const body = "setparams&" + Object.entries(pairs)
    .map(([k, v]) => k + "=" + encodeURIComponent(String(v))).join("&");
  const reply = await fetch(API, {method: "POST", body: body,
    headers: {"Content-Type": "application/x-www-form-urlencoded"}});
  const text = (await reply.text()).trim();
  if (!reply.ok) { say(text, false); return false; }
  await load();
  return true;
}

let told = null;        // the Counter.Height that gives the width the counter learnt
function show(c) {      // the counting thread's status, in a sentence
  const line = document.getElementById("counting");
  const use = document.getElementById("use-height");
  if (c === undefined || c === null || typeof c !== "object") {
    line.textContent = "No camera: the counter was started without a video source.";
    use.hidden = true;
    return;
  }
  let text = "Camera " + c.source_state + ", " + c.fps + " fps; since the start " + c.in +
    " in, " + c.out + " out.";
  if (c.person_px !== null) {
    const how = c.size_held ? "learnt and held" : c.size_learnt ? "learnt, still learning"
      : (document.getElementById("AutoSize").checked ? "the mounting height's, until people come"
         : "told by the mounting height");
    text += " A person is counted " + c.person_px + " px wide (" + how +
      "); the mounting height gives " + c.height_px + " px.";
    if (c.size_learnt && c.person_share !== null && c.person_share < SMALL_SHARE) {
      text += " People look small in this picture (under " + (100 * SMALL_SHARE).toFixed(1) +
        " % of its width): a crowded doorway is over-counted. Frame the doorway closer, or" +
        " count with a told mounting height.";
    }
  }
  if (c.rests_on_motion) {
    text += " " + c.from_motion + " of the " + (c.in + c.out) + " passages since the start" +
      " were counted from the motion of a crowd no track could follow, in people " +
      c.person_px + " px wide: such a count moves by about 2 % for each 1 % of that width;" +
      " check it once against a hand count of a recording of this door (footfall eval" +
      " RECORDING TRUTH.json --fit finds the Counter.Height it counts right with; where" +
      " people never crowd, Counter.Crowds = 0 counts only the people followed one by one).";
  }
  if (c.shaking) text += " The camera shakes: its frames are moved back before counting.";
  if (c.no_picture) {
    text += " The camera shows no picture (black or one colour): its frames are skipped" +
      " until the picture comes back.";
  }
  if (c.blocky) {
    text += " The picture shows the 8\\u00d78 blocks of a heavily compressed stream: counted" +
      " with a raised noise floor; a higher stream quality (JPEG 20 or more) counts better.";
  }
  if (c.slow_stream) {
    text += " Frames come at " + c.fps + " fps: under 10 fps people cross the counting area" +
      " between two frames and are missed or counted twice now and then; stream 10 fps or more.";
  }
  line.textContent = text;
  told = c.told_height_cm;
  use.hidden = told === null || told === undefined;
  use.textContent = "Count with the learnt width from now on: height " + told +
    " cm, no more learning";
}
async function counting() {
  try {
    const reply = await fetch(API + "?status.json", {cache: "no-store"});
    if (reply.ok) show((await reply.json()).counting);
  } catch (e) { /* the counter restarting: try again */ }
  setTimeout(counting, 2000);
}
document.getElementById("use-height").addEventListener("click", () => {
  set("Height", told);
  document.getElementById("AutoSize").checked = false;
  say("not saved yet");
});

async function load() {
  const reply = await fetch(API + "?params.json", {cache: "no-store"});
  if (!reply.ok) { say((await reply.text()).trim(), false); return; }
  saved = await reply.json();
  if (size !== null) fill(saved);
}

function paint() {
  const g = canvas.getContext("2d");
  g.clearRect(0, 0, canvas.width, canvas.height);
  const l = value("Left"), r = value("Right"), t = value("YFirst"), b = value("YLast");
  if (!(r > l && b > t)) return;
  g.fillStyle = "rgba(30, 110, 255, 0.18)"; g.fillRect(l, t, r - l, b - t);
  g.strokeStyle = "rgb(30, 110, 255)"; g.lineWidth = Math.max(2, canvas.width / 300);
  g.strokeRect(l, t, r - l, b - t);
  const up = document.getElementById("InDirection").value === "up";
  const right = r + g.lineWidth * 4 + 30 <= canvas.width;
  const x = right ? r + 4 * g.lineWidth : l - 4 * g.lineWidth;
  const from = up ? b : t, to = up ? t : b, head = Math.min(10, (b - t) / 3);
  g.beginPath(); g.moveTo(x, from); g.lineTo(x, to);
  g.lineTo(x - head, to + (up ? head : -head)); g.moveTo(x, to);
  g.lineTo(x + head, to + (up ? head : -head)); g.stroke();
  g.fillStyle = "rgb(30, 110, 255)"; g.font = Math.max(12, canvas.width / 30) + "px sans-serif";
  g.textAlign = right ? "left" : "right";
  g.fillText("in", right ? x + head + 3 : x - head - 3, (t + b) / 2);
}

function at(event) {    // the pointer in picture pixels
  const box = canvas.getBoundingClientRect();
  const x = (event.clientX - box.left) * canvas.width / box.width;
  const y = (event.clientY - box.top) * canvas.height / box.height;
  return [Math.min(Math.max(x, 0), canvas.width), Math.min(Math.max(y, 0), canvas.height)];
}
function stretch(event) {
  const [x, y] = at(event);
  set("Left", Math.min(drag[0], x)); set("Right", Math.max(drag[0], x));
  set("YFirst", Math.min(drag[1], y)); set("YLast", Math.max(drag[1], y));
  paint();
}
canvas.addEventListener("pointerdown", (e) => {
  if (size === null) return;
  drag = at(e); canvas.setPointerCapture(e.pointerId); say("");
});
canvas.addEventListener("pointermove", (e) => { if (drag !== null) stretch(e); });
canvas.addEventListener("pointerup", (e) => {
  if (drag === null) return;
  stretch(e); drag = null; say("not saved yet");
});
for (const id of [...fields, "InDirection", "Height", "AutoSize"]) {
  document.getElementById(id).addEventListener("input", () => { paint(); say("not saved yet"); });
}

document.getElementById("form").addEventListener("submit", async (e) => {
  e.preventDefault();
  if (size === null) { say("wait for the picture", false); return; }
  const l = value("Left"), r = value("Right"), t = value("YFirst"), b = value("YLast");
  if (!(r > l && b > t)) { say("draw an area first: drag across the doorway", false); return; }
  const pairs = {
    "Area.Width": size[0], "Area.Height": size[1], "Area.Left": l, "Area.Right": r,
    "Area.Top": t, "Area.Bottom": b, "Area.YFirst": t, "Area.YLast": b,
    "Area.Radius": value("Radius"),
    "Area.InDirection": document.getElementById("InDirection").value,
    "Counter.Height": value("Height"),
    "Counter.AutoSize": document.getElementById("AutoSize").checked ? 1 : 0,
  };
  say("saving\\u2026");
  if (await send(pairs)) say("saved", true);
});
document.getElementById("Rotation").addEventListener("change", async (e) => {
  // the picture turns at once: the area is then drawn again in the turned picture
  say("turning the picture\\u2026");
  if (await send({"Counter.Rotation": e.target.value})) {
    say("turned: draw the area again in the turned picture", true);
  }
});

picture();
load();
counting();
</script>
</body></html>
"""


BODY = PAGE.replace("@SMALL_SHARE@", repr(SMALL_PERSON_SHARE))


async def setup_page(call: Call) -> Response:
    """`setup.html`: the counting-area page (static; it talks to the API itself)."""
    return HTMLResponse(BODY, headers=HEADERS)


def install_setup_page(ctx: ApiContext) -> None:
    """Register `setup.html` at operator level (it shows the camera's picture and sets params)."""
    ctx.actions.register(Action("setup.html", setup_page, level="operator"), replace=True)
