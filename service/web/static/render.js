// Renders results as aligned rows, bullets with citation chips, warnings and the glossary report.
// Every piece of text from a user or a model goes in as a text node: nothing here parses HTML.

// How a bullet came to be: [the label shown, what it means].
const ORIGINS = {
  model: ["model", "written by the model"],
  model_retry: ["rewritten", "written again by the model after failing the verifier's checks"],
  extract: ["extract", "the model's bullet failed twice: this is its source sentence, compressed"],
};

// el("p", {class: "x", "data-segment": id}, "text", child, ...): attributes are set as attributes,
// strings become text nodes.
export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value !== null && value !== undefined && value !== false) node.setAttribute(name, String(value));
  }
  for (const child of children) {
    if (child === null || child === undefined) continue;
    node.append(typeof child === "string" ? document.createTextNode(child) : child);
  }
  return node;
}

// One document as the page shows it, from a /v1 response document...
export function fromResponse(document, title) {
  return {
    title,
    sourceLang: document.source_lang,
    confidence: document.source_lang_confidence,
    translation: document.translation ?? null,
    segments: document.segments ?? [],
    bullets: document.bullets ?? null,
    warnings: document.warnings ?? [],
    glossary: document.glossary ?? [],
    seconds: document.seconds ?? null,
    file: null,
    error: null,
  };
}

// ...or from a line of a job's results.
export function fromRecord(record) {
  return {
    title: record.file || `Item ${record.id}`,
    sourceLang: record.source_lang,
    confidence: record.source_lang_confidence ?? null,
    translation: record.translation ?? null,
    segments: record.segments ?? [],
    bullets: record.bullets ?? null,
    warnings: record.warnings ?? [],
    glossary: record.glossary ?? [],
    seconds: null,
    file: record.file ?? null,
    error: record.error,
  };
}

function warningList(warnings, className) {
  if (warnings.length === 0) return null;
  return el("ul", { class: className },
    ...warnings.map((w) => el("li", { class: "warning", "data-code": w.code },
      el("code", {}, w.code), " ", w.message)));
}

function languageLine(view) {
  if (!view.sourceLang) return null;
  const confidence = view.confidence === null || view.confidence === undefined
    ? "" : `, confidence ${Number(view.confidence).toFixed(2)}`;
  const seconds = view.seconds === null ? "" : ` · ${Number(view.seconds).toFixed(1)} s`;
  return el("p", { class: "doc-meta" },
    `Source language ${view.sourceLang}${confidence} · ${view.segments.length} sentences${seconds}`);
}

function chip(ids) {
  return el("button", {
    type: "button",
    class: "chip",
    "data-cites": ids.join(" "),
    "aria-label": `Show the cited sentences ${ids.join(", ")}`,
  }, ids.join(" · "));
}

function bulletList(bullets) {
  return el("section", { class: "bullets", "aria-label": "Summary" },
    el("h3", {}, "Summary"),
    el("ol", {}, ...bullets.map((bullet) => el("li", { class: "bullet" },
      el("span", { class: "bullet-text" }, bullet.text), " ",
      bullet.sources.length ? chip(bullet.sources) : null, " ",
      origin(bullet.origin)))));
}

function origin(name) {
  const [label, meaning] = ORIGINS[name] || [name, ""];
  return el("span", { class: `origin origin-${name}`, "data-origin": name, title: meaning }, label);
}

// Folded by default: the translation and bullets come first; the summary line says what needs a look.
function glossaryReport(terms) {
  const rows = terms.map((term) => el("tr", { class: term.applied ? "applied" : "not-applied" },
    el("td", { lang: "zh" }, term.term),
    el("td", {}, term.rendering),
    el("td", {}, term.applied ? "applied" : "not applied"),
    el("td", { class: "term-origin" }, term.origin || ""),
    el("td", {}, ...(term.segments.length ? term.segments.map((id) => chip([id])) : ["not found"]))));
  const missed = terms.filter((term) => !term.applied).length;
  return el("details", { class: "glossary-report" },
    el("summary", {}, el("h3", {},
      `Glossary: ${terms.length} term${terms.length === 1 ? "" : "s"} found, ${missed} not applied`)),
    el("table", {},
      el("thead", {}, el("tr", {}, ...["Term", "Rendering", "Applied", "From", "Where"].map(
        (name) => el("th", { scope: "col" }, name)))),
      el("tbody", {}, ...rows)));
}

// Where a row came from when it was not made now: a person's correction, or the memory of the model's.
function memoryBadge(segment) {
  if (!segment.memory) return null;
  const person = segment.memory_origin === "person";
  return el("span", {
    class: `memory memory-${person ? "person" : "model"}`,
    title: person ? "a person's correction, kept in the translation memory"
      : "translated before by this model: answered from the translation memory",
  }, person ? "corrected" : "from memory");
}

// Below this a row is marked for checking: service/pipeline/confidence.py's LOW (a test keeps them equal).
const LOW_CONFIDENCE = 0.45;

function isLow(segment) {
  return typeof segment.confidence === "number" && segment.confidence < LOW_CONFIDENCE;
}

// Why a row is marked: its confidence, and what lowered it.
function confidenceBadge(segment, warnings) {
  if (!isLow(segment)) return null;
  const why = warnings.length ? ` and ${warnings.length === 1 ? "a check" : `${warnings.length} checks`}`
    + ` fired on it (${warnings.map((w) => w.code).join(", ")})` : "";
  return el("span", {
    class: "confidence-low", "data-confidence": String(segment.confidence),
    title: `Low confidence (${segment.confidence.toFixed(2)} of 1): the model was unsure of the words `
      + `it wrote${why}. Check this sentence against the source.`,
  }, "check");
}

function row(segment, warnings) {
  const classes = ["row", warnings.length ? "has-warning" : "", isLow(segment) ? "low-confidence" : ""];
  return el("div", { class: classes.filter(Boolean).join(" "), "data-segment": segment.id,
    tabindex: "-1",
    ...(typeof segment.confidence === "number" ? { "data-confidence": String(segment.confidence) } : {}) },
  el("div", { class: "source" },
    el("span", { class: "segment-id" }, segment.id),
    el("span", { class: "as-received", lang: "zh" }, segment.source),
    el("span", { class: "as-normalized", lang: "zh" }, segment.normalized)),
  el("div", { class: "translation", lang: "en" },
    el("span", { class: "translated-text" }, segment.translation), " ",
    memoryBadge(segment), " ",
    confidenceBadge(segment, warnings), " ",
    el("button", { type: "button", class: "correct", "data-source": segment.normalized,
      "aria-label": `Correct the translation of ${segment.id}` }, "Correct"),
    warningList(warnings, "row-warnings")));
}

function alignedRows(view) {
  const paragraphs = new Map();
  for (const segment of view.segments) {
    if (!paragraphs.has(segment.paragraph)) paragraphs.set(segment.paragraph, []);
    const own = view.warnings.filter((w) => w.segment === segment.id);
    paragraphs.get(segment.paragraph).push(row(segment, own));
  }
  return el("section", { class: "rows", "aria-label": "Translation, sentence by sentence" },
    el("h3", {}, "Translation"),
    ...[...paragraphs].map(([number, rows]) =>
      el("div", { class: "paragraph", "data-paragraph": number }, ...rows)));
}

// A document whose rows arrive one by one (a streamed answer): rows go in reading order as they come.
export function liveDocument(title, sourceLang) {
  return el("article", { class: "document live", "data-document": 0, "data-source-lang": sourceLang },
    el("h2", {}, title),
    el("ol", { class: "live-bullets", "aria-label": "Summary so far" }),
    el("section", { class: "rows", "aria-label": "Translation, sentence by sentence" },
      el("h3", {}, "Translation")));
}

const order = (id) => id.slice(1).split(".s").map(Number);
const before = (a, b) => { const [x, y] = [order(a), order(b)]; return x[0] - y[0] || x[1] - y[1]; };

export function addLiveRow(article, segment) {
  const rows = article.querySelector(".rows");
  let paragraph = rows.querySelector(`.paragraph[data-paragraph="${segment.paragraph}"]`);
  if (!paragraph) {
    paragraph = el("div", { class: "paragraph", "data-paragraph": segment.paragraph });
    const next = [...rows.querySelectorAll(".paragraph")]
      .find((p) => Number(p.dataset.paragraph) > segment.paragraph);
    rows.insertBefore(paragraph, next || null);
  }
  const made = row(segment, segment.warnings || []);
  const next = [...paragraph.children].find((r) => before(r.dataset.segment, segment.id) > 0);
  paragraph.insertBefore(made, next || null);
}

export function addLiveBullet(article, bullet) {
  article.querySelector(".live-bullets").append(el("li", { class: "bullet" },
    el("span", { class: "bullet-text" }, bullet.text), " ", chip(bullet.sources)));
}

export function renderDocument(view, index) {
  const article = el("article", { class: "document", "data-document": index,
    "data-source-lang": view.sourceLang || "" },
    el("h2", {}, view.title));
  if (view.error) {
    article.append(el("p", { class: "item-error" }, `Failed: ${view.error}`));
    return article;
  }
  const known = new Set(view.segments.map((segment) => segment.id));
  const general = view.warnings.filter((w) => !w.segment || !known.has(w.segment));
  article.append(
    ...[languageLine(view), warningList(general, "doc-warnings")].filter(Boolean));
  if (view.bullets) article.append(bulletList(view.bullets));
  if (view.glossary.length) article.append(glossaryReport(view.glossary));
  if (view.segments.length) article.append(alignedRows(view));
  return article;
}

// Scrolls smoothly, unless the reader has asked for less motion.
export function scrollGently(element, block) {
  const smooth = !window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  element.scrollIntoView({ behavior: smooth ? "smooth" : "auto", block });
}

// Highlights the rows a chip cites (in its own document) and brings the first into view.
export function showCited(chipButton) {
  const article = chipButton.closest(".document");
  const ids = chipButton.dataset.cites.split(" ");
  for (const marked of article.querySelectorAll(".row.cited")) marked.classList.remove("cited");
  const rows = ids.map((id) => article.querySelector(`.row[data-segment="${CSS.escape(id)}"]`))
    .filter(Boolean);
  for (const cited of rows) cited.classList.add("cited");
  if (rows.length) {
    scrollGently(rows[0], "center");
    rows[0].focus({ preventScroll: true });
  }
}

// Plain-text forms for copying and the .txt download.
export function translationText(views) {
  return views.filter((v) => v.translation).map((v) => v.translation).join("\n\n");
}

export function bulletsText(views) {
  return views.filter((v) => v.bullets).map((v) => v.bullets
    .map((b) => `- ${b.text} [${b.sources.join(", ")}]`).join("\n")).join("\n\n");
}
