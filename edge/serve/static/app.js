// The page of `edge serve`: live stream, reading, crops, timings; a photo upload and a drawing pad.
"use strict";

const token = new URLSearchParams(location.search).get("token");
const withToken = (path, extra) => {
  const params = new URLSearchParams(extra || {});
  if (token) params.set("token", token);
  const query = params.toString();
  return query ? `${path}?${query}` : path;
};
const $ = (id) => document.getElementById(id);
// No "draw": the page's frames are annotated by the stream, only while someone watches.
const STAGES = ["capture", "preprocess", "inference", "total"];
const SURE = 0.5;

function renderDigits(element, digits, text) {
  element.replaceChildren();
  if (!text) {
    const none = document.createElement("span");
    none.className = "muted";
    none.textContent = "(no digits)";
    element.append(none);
    return;
  }
  // The confidences belong to the frame whose own reading is the smoothed text.
  const shown = digits && digits.length === text.length ? digits : [...text].map((label) => ({ label }));
  for (const d of shown) {
    const box = document.createElement("span");
    box.className = "digit" + (d.label === "?" || (d.confidence !== undefined && d.confidence < SURE) ? " unsure" : "");
    const label = document.createElement("b");
    label.textContent = d.label;
    const conf = document.createElement("i");
    conf.textContent = d.confidence === undefined ? "" : `${Math.round(d.confidence * 100)}%`;
    box.append(label, conf);
    element.append(box);
  }
}

function showReading(record) {
  const sameFrame = record.raw_text === record.text;
  renderDigits($("reading"), sameFrame ? record.digits : null, record.text);
  $("crops").src = withToken("crops.png", { frame: record.frame });
}

function showStatus(status) {
  const pill = $("status");
  pill.textContent = status.status;
  pill.className = `pill is-${status.status}`;
  $("fps").textContent = status.status === "reading" ? `${status.fps.toFixed(1)} FPS` : "";
  $("reason").textContent = status.reason || "";
  $("model").textContent = status.backend || "";
  const rows = $("stages").tBodies[0];
  rows.replaceChildren();
  const timing = status.reading ? status.reading.timing_ms : {};
  for (const stage of STAGES) {
    if (timing[stage] === undefined) continue;
    const row = rows.insertRow();
    row.insertCell().textContent = stage;
    row.insertCell().textContent = `${timing[stage].toFixed(2)} ms`;
  }
}

async function pollStatus() {
  try {
    const response = await fetch(withToken("api/status"));
    if (response.ok) showStatus(await response.json());
    else showStatus({ status: "error", reason: `the server answered ${response.status}`, fps: 0 });
  } catch (err) {
    showStatus({ status: "lost", reason: "the server cannot be reached", fps: 0 });
  }
}

function startLive() {
  const stream = $("stream");
  // A server that restarts (systemd, a new release) ends the stream: open it again.
  stream.addEventListener("error", () => setTimeout(() => {
    stream.src = withToken("stream.mjpg", { t: Date.now() });
  }, 2000));
  stream.src = withToken("stream.mjpg");
  const events = new EventSource(withToken("api/events"));
  events.addEventListener("reading", (event) => showReading(JSON.parse(event.data)));
  pollStatus();
  setInterval(pollStatus, 1000);
}

async function predict(blob) {
  const response = await fetch(withToken("api/predict"), {
    method: "POST",
    headers: { "Content-Type": blob.type || "application/octet-stream" },
    body: blob,
  });
  const body = await response.json();
  if (!response.ok) throw new Error(body.error || `the server answered ${response.status}`);
  return body;
}

async function showUpload(file) {
  const text = $("upload-text");
  text.textContent = "reading ...";
  text.classList.remove("error");
  let result;
  try {
    result = await predict(file);
  } catch (err) {
    text.textContent = err.message;
    text.classList.add("error");
    $("upload").hidden = true;
    return;
  }
  renderDigits(text, result.digits, result.text);
  // The server applied the photo's EXIF orientation; the browser's decoding does the same.
  const bitmap = await createImageBitmap(file, { imageOrientation: "from-image" });
  const canvas = $("upload");
  const scale = Math.min(1, 1200 / Math.max(bitmap.width, bitmap.height));
  canvas.width = Math.round(bitmap.width * scale);
  canvas.height = Math.round(bitmap.height * scale);
  const ctx = canvas.getContext("2d");
  ctx.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
  const sx = canvas.width / result.width, sy = canvas.height / result.height;
  ctx.lineWidth = Math.max(2, canvas.width / 300);
  ctx.font = `${Math.max(14, canvas.width / 40)}px system-ui, sans-serif`;
  for (const d of result.digits) {
    const [x, y, w, h] = d.box;
    ctx.strokeStyle = ctx.fillStyle = d.label === "?" ? "#ff9f1a" : "#37c871";
    ctx.strokeRect(x * sx, y * sy, w * sx, h * sy);
    ctx.fillText(d.label, x * sx, Math.max(12, y * sy - 4));
  }
  canvas.hidden = false;
}

function setUpUpload() {
  const drop = $("drop");
  $("file").addEventListener("change", (event) => event.target.files[0] && showUpload(event.target.files[0]));
  drop.addEventListener("dragover", (event) => { event.preventDefault(); drop.classList.add("over"); });
  drop.addEventListener("dragleave", () => drop.classList.remove("over"));
  drop.addEventListener("drop", (event) => {
    event.preventDefault();
    drop.classList.remove("over");
    if (event.dataTransfer.files[0]) showUpload(event.dataTransfer.files[0]);
  });
}

function showProbabilities(result) {
  const bars = $("bars");
  bars.replaceChildren();
  const digit = result.digits.reduce((best, d) => (!best || d.box[2] * d.box[3] > best.box[2] * best.box[3] ? d : best), null);
  if (!digit) {
    $("draw-text").textContent = "no digit found: draw bigger, with one stroke or a few";
    return;
  }
  $("draw-text").textContent = `read as ${digit.label} (${Math.round(digit.confidence * 100)}%)`;
  const top = digit.probabilities.indexOf(Math.max(...digit.probabilities));
  digit.probabilities.forEach((p, k) => {
    const label = document.createElement("span");
    label.textContent = k;
    const bar = document.createElement("div");
    bar.className = "bar";
    const fill = document.createElement("span");
    fill.style.width = `${(p * 100).toFixed(1)}%`;
    bar.append(fill);
    const value = document.createElement("span");
    value.textContent = `${(p * 100).toFixed(1)}%`;
    if (k === top) { label.className = value.className = "top"; }
    bars.append(label, bar, value);
  });
}

function setUpPad() {
  const pad = $("pad");
  const ctx = pad.getContext("2d");
  const clear = () => {
    ctx.fillStyle = "#fff";
    ctx.fillRect(0, 0, pad.width, pad.height);
    $("bars").replaceChildren();
    $("draw-text").textContent = "Draw one digit with the mouse or a finger.";
  };
  clear();
  let drawing = false;
  const point = (event) => {
    const rect = pad.getBoundingClientRect();
    return [(event.clientX - rect.left) * pad.width / rect.width, (event.clientY - rect.top) * pad.height / rect.height];
  };
  pad.addEventListener("pointerdown", (event) => {
    drawing = true;
    pad.setPointerCapture(event.pointerId);
    ctx.lineWidth = 18;
    ctx.lineCap = ctx.lineJoin = "round";
    ctx.strokeStyle = "#000";
    ctx.beginPath();
    ctx.moveTo(...point(event));
  });
  pad.addEventListener("pointermove", (event) => {
    if (!drawing) return;
    ctx.lineTo(...point(event));
    ctx.stroke();
  });
  const finish = () => {
    if (!drawing) return;
    drawing = false;
    pad.toBlob(async (blob) => {
      try {
        showProbabilities(await predict(blob));
      } catch (err) {
        $("draw-text").textContent = err.message;
      }
    }, "image/png");
  };
  pad.addEventListener("pointerup", finish);
  pad.addEventListener("pointercancel", finish);
  $("clear").addEventListener("click", clear);
}

startLive();
setUpUpload();
setUpPad();
