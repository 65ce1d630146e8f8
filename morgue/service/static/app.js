// morgue's web page. Every text from the API (titles, URLs, article text) is set with
// textContent, never innerHTML: an archived page's title cannot become markup here.
"use strict";

const $ = (id) => document.getElementById(id);

function el(tag, text, attrs) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = String(text);
  for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
  return node;
}

function headers() {
  const token = $("token").value.trim() || sessionStorage.getItem("morgue-token") || "";
  const h = { "Content-Type": "application/json" };
  if (token) h.Authorization = "Bearer " + token;
  return h;
}

async function api(path, options) {
  const response = await fetch(path, { ...(options || {}), headers: headers() });
  if (response.status === 401) {
    $("token-row").hidden = false;
    throw new Error("this service needs an API token");
  }
  const body = await response.json();
  if (!response.ok) throw new Error(body.error || response.statusText);
  return body;
}

function showJob(item, job) {
  item.replaceChildren();
  item.append(el("span", job.state, { class: "state state-" + job.state }), " ");
  item.append(el("span", job.urls.length + " URL" + (job.urls.length === 1 ? "" : "s")));
  for (const result of job.results) {
    const line = el("div", null, { class: "result" });
    line.append(el("span", result.url, { class: "url" }), " ");
    if (result.error) line.append(el("span", "failed: " + result.error, { class: "error" }));
    else if (result.capture_id) {
      line.append(el("span", String(result.status), { class: "status" }), " ");
      const open = el("a", result.title || "(no title)", { class: "open", "data-capture": result.capture_id });
      open.addEventListener("click", () => showCapture(result.capture_id));
      line.append(open);
    }
    item.append(line);
  }
}

async function follow(jobId, item) {
  for (;;) {
    const job = await api("/api/jobs/" + encodeURIComponent(jobId));
    showJob(item, job);
    if (job.state === "done" || job.state === "failed") { loadRecent(); return; }
    await new Promise((r) => setTimeout(r, 300));
  }
}

async function showCapture(id) {
  const capture = await api("/api/captures/" + encodeURIComponent(id));
  const record = capture.record || {};
  $("capture").hidden = false;
  $("capture-title").textContent = record.title || capture.title || capture.final_url || capture.url;
  const meta = $("capture-meta");
  meta.replaceChildren();
  for (const [name, value] of [["URL", capture.url], ["Final URL", capture.final_url], ["Status", capture.status],
      ["Fetched", capture.fetched_at], ["Author", record.author], ["Published", record.published],
      ["Language", record.language], ["Words", record.word_count], ["WARC file", capture.warc_filename],
      ["Offset", capture.warc_offset], ["Record", capture.warc_record_id]]) {
    if (value === null || value === undefined || value === "") continue;
    meta.append(el("dt", name), el("dd", value));
  }
  $("capture-text").textContent = record.text || "(no article text)";
  $("capture-warc").href = "/api/captures/" + encodeURIComponent(id) + "/warc";
}

async function loadRecent() {
  try {
    const body = await api("/api/captures?limit=20");
    const rows = body.captures.map((c) => {
      const row = el("tr");
      const open = el("a", c.title || "(no title)", { class: "open", "data-capture": c.capture_id });
      open.addEventListener("click", () => showCapture(c.capture_id));
      const title = el("td"); title.append(open);
      row.append(el("td", new Date(c.saved_at * 1000).toLocaleString()), title, el("td", c.final_url || c.url),
                 el("td", c.error ? "failed: " + c.error : c.status));
      return row;
    });
    $("recent").replaceChildren(...rows);
  } catch (e) {
    $("message").textContent = e.message;
  }
}

async function submit(event) {
  event.preventDefault();
  const urls = $("urls").value.split(/\s+/).filter(Boolean);
  if ($("token").value.trim()) sessionStorage.setItem("morgue-token", $("token").value.trim());
  $("message").textContent = "";
  try {
    const body = await api("/api/captures", { method: "POST", body: JSON.stringify({ urls }) });
    const item = el("li", null, { "data-job": body.job });
    $("jobs").prepend(item);
    showJob(item, { state: "queued", urls, results: [] });
    $("urls").value = "";
    follow(body.job, item).catch((e) => { $("message").textContent = e.message; });
  } catch (e) {
    $("message").textContent = e.message;
  }
}

document.addEventListener("DOMContentLoaded", () => {
  $("form").addEventListener("submit", submit);
  $("refresh").addEventListener("click", loadRecent);
  loadRecent();
});
