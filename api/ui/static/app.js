// newsdesk search page: POST v1/search, render hits with their sources. No dependencies.
"use strict";

const $ = (id) => document.getElementById(id);
const form = $("search-form");
const input = $("q");
const button = $("submit");
const statusLine = $("status");
const errorBox = $("error");
const results = $("results");
const template = $("hit-template");
const reading = $("reading");
const more = $("more");
const FIELDS = ["q", "mode", "outlet", "after", "before", "sort", "top_k"];
let inflight = null;
// The request behind the hits shown and the token for the page after them.
let shown = { body: null, token: null, count: 0 };

function setStatus(text) {
  statusLine.textContent = text;
}

function showError(text) {
  errorBox.textContent = text;
  errorBox.hidden = false;
}

function clearError() {
  errorBox.textContent = "";
  errorBox.hidden = true;
}

function setBusy(busy) {
  results.setAttribute("aria-busy", String(busy));
  form.classList.toggle("busy", busy);
  button.textContent = busy ? "Searching…" : "Search";
}

function requestBody() {
  const body = {
    q: input.value.trim(),
    top_k: Number($("top_k").value) || 10,
    mode: $("mode").value,
    sort: $("sort").value,
  };
  if ($("outlet").value) body.outlet = [$("outlet").value];
  if ($("after").value) body.published_after = `${$("after").value}T00:00:00Z`;
  if ($("before").value) body.published_before = `${$("before").value}T23:59:59.999Z`;
  return body;
}

async function errorDetail(response) {
  try {
    const data = await response.json();
    if (typeof data.detail === "string") return data.detail;
    if (Array.isArray(data.detail)) return data.detail.map((d) => d.msg).join("; ");
  } catch (_) {
    // not JSON: fall through
  }
  return response.statusText || `HTTP ${response.status}`;
}

async function search(nextPage = false) {
  const body = nextPage ? { ...shown.body, page_token: shown.token } : requestBody();
  if (!body.q) {
    setStatus("Type a question first.");
    input.focus();
    return;
  }
  if (inflight) inflight.abort();
  const controller = new AbortController();
  inflight = controller;
  clearError();
  setBusy(true);
  setStatus("Searching…");
  more.hidden = true;
  if (!nextPage) rememberQuery();
  let response;
  try {
    response = await fetch("v1/search", {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json" },
      body: JSON.stringify(body),
      signal: controller.signal,
    });
  } catch (err) {
    if (controller.signal.aborted) return;
    finish(controller);
    results.replaceChildren();
    setStatus("");
    showError(
      "Can't reach the search service. Check that the newsdesk server is running, then try again.",
    );
    return;
  }
  if (controller.signal.aborted) return;
  if (!response.ok) {
    const detail = await errorDetail(response);
    finish(controller);
    results.replaceChildren();
    setStatus("");
    if (response.status === 503 || response.status === 502 || response.status === 504) {
      showError(`The search service is unavailable right now (${detail}). Try again in a moment.`);
    } else if (response.status === 422) {
      showError(`The search could not run: ${detail}`);
    } else {
      showError(`The search failed (${response.status}): ${detail}`);
    }
    return;
  }
  let data;
  try {
    data = await response.json();
  } catch (_) {
    finish(controller);
    showError("The search service sent a reply this page cannot read.");
    return;
  }
  if (controller.signal.aborted) return;
  finish(controller);
  render(data, body, nextPage);
}

function finish(controller) {
  if (inflight === controller) inflight = null;
  setBusy(false);
}

function render(data, body, nextPage) {
  const hits = Array.isArray(data.hits) ? data.hits : [];
  const first = nextPage ? shown.count : 0;
  const nodes = hits.map((hit, i) => renderHit(hit, first + i));
  if (nextPage) results.append(...nodes);
  else results.replaceChildren(...nodes);
  shown = {
    body: { ...body, page_token: undefined },
    token: data.next_page_token || null,
    count: first + hits.length,
  };
  more.hidden = !shown.token;
  renderReading(data);
  if (nextPage) {
    setStatus(`${shown.count} passages shown.`);
    return;
  }
  if (hits.length === 0) {
    const filtered = body.outlet || body.published_after || body.published_before;
    setStatus(
      `No passages match “${body.q}”.` +
        (filtered ? " Try clearing the filters." : " Try other words or another ranking mode."),
    );
    return;
  }
  const plural = hits.length === 1 ? "passage" : "passages";
  setStatus(`${hits.length} ${plural} in ${Math.round(data.took_ms ?? 0)} ms (${data.mode}).`);
}

// How the question was read: its time words and any quoted phrase found nowhere.
function renderReading(data) {
  const parts = [];
  const time = data.time;
  if (time) {
    if (time.applied) {
      const from = time.after ? formatDate(time.after) : "the start";
      const to = time.before ? formatDate(time.before) : "now";
      const how = time.applied === "filter" ? "only articles published then" : "preferred";
      parts.push(`Time read: ${from} – ${to} (${how})`);
    }
    if (time.recency) parts.push("Newest articles preferred");
    if (time.as_of) parts.push(`Archive as of ${formatDate(time.as_of)}`);
  }
  const dropped = data.syntax && data.syntax.dropped_phrases;
  if (Array.isArray(dropped) && dropped.length) {
    parts.push(`Not found as phrases, searched as words: ${dropped.map((p) => `“${p}”`).join(", ")}`);
  }
  reading.textContent = parts.join(". ") + (parts.length ? "." : "");
  reading.hidden = parts.length === 0;
}

function renderHit(hit, index) {
  const node = template.content.firstElementChild.cloneNode(true);
  const source = hit.source || {};
  node.querySelector(".hit-title").append(`${index + 1}. `, linkOrText(source.title, source.url));
  node.querySelector(".hit-meta").append(...metaNodes(source));
  renderPassage(node, hit);
  renderAlso(node.querySelector(".hit-also"), hit.also_reported_by);
  renderScores(node.querySelector(".hit-scores dl"), hit);
  return node;
}

function safeUrl(url) {
  if (typeof url !== "string" || !url) return null;
  try {
    const parsed = new URL(url);
    return parsed.protocol === "http:" || parsed.protocol === "https:" ? parsed.href : null;
  } catch (_) {
    return null;
  }
}

function linkOrText(text, url) {
  const label = text || "(untitled)";
  const href = safeUrl(url);
  if (!href) {
    const span = document.createElement("span");
    span.textContent = label;
    return span;
  }
  const link = document.createElement("a");
  link.href = href;
  link.textContent = label;
  link.rel = "noopener noreferrer";
  return link;
}

function formatDate(value) {
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return value;
  return date.toLocaleDateString(undefined, {
    year: "numeric",
    month: "short",
    day: "numeric",
    timeZone: "UTC",
  });
}

function metaNodes(source) {
  const parts = [];
  const outlet = document.createElement("span");
  outlet.className = "outlet";
  outlet.textContent = source.outlet || "Unknown outlet";
  parts.push(outlet);
  if (source.published_at) {
    const time = document.createElement("time");
    time.dateTime = source.published_at;
    time.textContent = formatDate(source.published_at);
    parts.push(time);
  } else {
    parts.push("undated");
  }
  if (source.author) parts.push(`by ${source.author}`);
  return parts.flatMap((part, i) => (i === 0 ? [part] : [" · ", part]));
}

// The answer sentence inside the passage: by its text, else by offsets (passage or article).
function answerSpan(hit) {
  const highlight = hit.highlight;
  const text = hit.text || "";
  if (!highlight || typeof highlight !== "object") return null;
  const sentence = typeof highlight.text === "string" ? highlight.text : "";
  if (sentence) {
    const at = text.indexOf(sentence);
    if (at >= 0) return [at, at + sentence.length];
  }
  const { char_start: start, char_end: end } = highlight;
  if (!Number.isInteger(start) || !Number.isInteger(end) || end <= start) return null;
  const base = hit.source && Number.isInteger(hit.source.char_start) ? hit.source.char_start : 0;
  for (const offset of [base, 0]) {
    const s = start - offset;
    const e = end - offset;
    if (s >= 0 && e <= text.length && (!sentence || text.slice(s, e) === sentence)) return [s, e];
  }
  return null;
}

function renderPassage(node, hit) {
  const quote = node.querySelector(".hit-text");
  const text = hit.text || "";
  const span = answerSpan(hit);
  if (span) {
    const mark = document.createElement("mark");
    mark.textContent = text.slice(span[0], span[1]);
    quote.append(text.slice(0, span[0]), mark, text.slice(span[1]));
    return;
  }
  quote.textContent = text;
  const sentence = hit.highlight && hit.highlight.text;
  if (typeof sentence === "string" && sentence) {
    const answer = node.querySelector(".hit-answer");
    const mark = document.createElement("mark");
    mark.textContent = sentence;
    answer.append("Answer: ", mark);
    answer.hidden = false;
  }
}

function renderAlso(container, others) {
  if (!Array.isArray(others) || others.length === 0) return;
  container.append("Also reported by: ");
  others.forEach((other, i) => {
    if (i > 0) container.append(", ");
    const label = [other.outlet || "unknown outlet", other.title].filter(Boolean).join(" — ");
    container.append(linkOrText(label, other.url));
    if (other.published_at) container.append(` (${formatDate(other.published_at)})`);
  });
  container.hidden = false;
}

function renderScores(list, hit) {
  const scores = hit.scores || {};
  const rows = [];
  if (typeof scores.second_stage === "number") {
    rows.push(["Second stage", fmt(scores.second_stage)]);
  }
  rows.push(["Fused score", fmt(scores.fused ?? hit.score)]);
  rows.push(["Keywords (BM25)", leg(scores.bm25, "score")]);
  rows.push(["Meaning (dense)", leg(scores.dense, "cosine")]);
  if (scores.weights) {
    const how = scores.weights.adaptive ? "chosen for this question" : "as set";
    rows.push([
      "Leg weights",
      `BM25 ${fmt(scores.weights.bm25)}, dense ${fmt(scores.weights.dense)} (${how})`,
    ]);
  }
  for (const [term, value] of rows) {
    const dt = document.createElement("dt");
    dt.textContent = term;
    const dd = document.createElement("dd");
    dd.textContent = value;
    list.append(dt, dd);
  }
}

function leg(value, label) {
  if (!value) return "not among this leg's candidates";
  return `rank ${value.rank}, ${label} ${fmt(value.score)}`;
}

function fmt(value) {
  return typeof value === "number" ? value.toFixed(4) : "—";
}

function rememberQuery() {
  const params = new URLSearchParams();
  for (const name of FIELDS) {
    const value = $(name).value.trim();
    if (value && !(name === "mode" && value === "hybrid") && !(name === "top_k" && value === "10")) {
      params.set(name, value);
    }
  }
  history.replaceState(null, "", `${location.pathname}?${params}`);
}

async function loadArchive() {
  try {
    const response = await fetch("v1/archive", { headers: { accept: "application/json" } });
    if (!response.ok) return;
    const archive = await response.json();
    const select = $("outlet");
    const wanted = new URLSearchParams(location.search).get("outlet");
    for (const outlet of archive.outlets || []) {
      const option = new Option(`${outlet.name} (${outlet.articles})`, outlet.name);
      select.append(option);
    }
    if (wanted) select.value = wanted;
    const earliest = archive.earliest ? archive.earliest.slice(0, 10) : "";
    const latest = archive.latest ? archive.latest.slice(0, 10) : "";
    for (const id of ["after", "before"]) {
      if (earliest) $(id).min = earliest;
      if (latest) $(id).max = latest;
    }
    const range = earliest && latest ? `, published ${earliest} to ${latest}` : "";
    $("archive-note").textContent = `${archive.articles} articles${range}.`;
  } catch (_) {
    // The search itself reports an unreachable backend; the filters just stay empty.
  }
}

function restoreQuery() {
  const params = new URLSearchParams(location.search);
  for (const name of FIELDS) {
    const value = params.get(name);
    if (value !== null && name !== "outlet") $(name).value = value;
  }
  return Boolean(params.get("q"));
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  search();
});

more.addEventListener("click", () => {
  if (shown.token) search(true);
});

const archiveLoaded = loadArchive();
if (restoreQuery()) archiveLoaded.then(search);
