// The web form: reads the inputs, runs the work (a direct call, or a job for uploads and long texts),
// keeps its state in the URL, and hands results to render.js. The input is never cleared.

import { ApiError, requestJson, saveCorrection, streamEvents } from "./api.js";
import { GlossaryEditor } from "./glossary.js";
import {
  askToNotify, describeJob, jobEnded, jobFraction, JobWatcher, jobResults, notifyEnded, submitJob,
  translatedFile,
} from "./job.js";
import {
  addLiveBullet, addLiveRow, bulletsText, el, fromRecord, fromResponse, liveDocument, renderDocument,
  scrollGently, showCited, translationText,
} from "./render.js";

const $ = (id) => document.getElementById(id);
const form = $("run-form");
const config = {
  maxChars: Number(form.dataset.maxChars),
  jobChars: Number(form.dataset.jobChars),
};
const text = $("text");
const files = $("files");
const alertBox = $("alert");
const glossary = new GlossaryEditor({
  rows: $("glossary-rows"), addButton: $("glossary-add"), tsvBox: $("glossary-tsv"),
  importButton: $("glossary-import"), count: $("glossary-count"),
});
let shown = { views: [], raw: null, jobId: null, files: [] };
let watcher = null;
let streaming = null; // the AbortController of the streamed run in progress

const task = () => form.querySelector('input[name="task"]:checked').value;
const apiKey = () => ($("api-key") ? $("api-key").value.trim() : "");

function showError(error) {
  const message = error instanceof ApiError ? error.explain() : `Something failed in this page: ${error}`;
  alertBox.replaceChildren(el("p", {}, message));
}

function clearError() {
  alertBox.replaceChildren();
}

function setStatus(message) {
  $("run-status").textContent = message;
}

// ?task=&lang=&job= : a reload or a shared link comes back to the same run.
function saveUrl(jobId) {
  const params = new URLSearchParams({ task: task(), lang: $("source-lang").value });
  if (jobId) params.set("job", jobId);
  history.replaceState(null, "", `${location.pathname}?${params}`);
}

function restoreUrl() {
  const params = new URLSearchParams(location.search);
  const wanted = form.querySelector(`input[name="task"][value="${CSS.escape(params.get("task") || "")}"]`);
  if (wanted) wanted.checked = true;
  const lang = params.get("lang");
  if (lang && [...$("source-lang").options].some((option) => option.value === lang)) {
    $("source-lang").value = lang;
  }
  return params.get("job");
}

function updateCounter() {
  const count = text.value.length;
  const over = count > config.maxChars;
  const asJob = !over && count > config.jobChars ? "; runs as a job" : "";
  $("counter").textContent =
    `${count.toLocaleString()} / ${config.maxChars.toLocaleString()} characters${over ? ": too long" : asJob}`;
  $("counter").classList.toggle("over", over);
}

function showResult(views, raw, jobId, fileNames = []) {
  shown = { views, raw, jobId, files: fileNames };
  $("documents").replaceChildren(...views.map((view, index) => renderDocument(view, index)));
  if (!views.length) $("documents").append(el("p", { class: "no-results" }, "No item finished."));
  const downloads = $("file-downloads");
  downloads.replaceChildren(...shown.files.map((name) => el("button",
    { type: "button", class: "file-download", "data-file": name }, `Download ${name} in English`)));
  $("copy-translation").hidden = !views.some((v) => v.translation);
  $("copy-bullets").hidden = !views.some((v) => v.bullets);
  $("result").hidden = false;
  scrollGently($("output"), "start");
}

// A model path's last part ("…/qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"); a hub id as it is.
const modelName = (name) => (name.startsWith("/") ? name.split("/").pop() : name);

function describeModel(model, wallSeconds) {
  const parts = [`Profile ${model.profile}`, `model ${modelName(model.translate)}`, `on ${model.backend}`];
  if (model.summarize && model.summarize !== model.translate) {
    parts.push(`summaries by ${modelName(model.summarize)}`);
  }
  const line = parts.join(" · ");
  return wallSeconds === null ? line : `${line} · answered in ${wallSeconds.toFixed(1)} s`;
}

function showProgress(progress) {
  $("stream-progress").max = Math.max(progress.total, 1);
  $("stream-progress").value = progress.done;
  const eta = progress.eta_seconds === null || progress.done === progress.total
    ? "" : ` · about ${Math.ceil(progress.eta_seconds)} s left`;
  $("stream-status").textContent = `${progress.done} of ${progress.total} sentences${eta}`;
}

// A pasted text, streamed: each row is shown the moment its sentence is translated, with a bar of
// sentences done and an estimate of the time left; Cancel stops the server's work (the request is
// aborted, and the server drops the work of a client that left).
async function runDirect(body) {
  const summarizing = body.task !== "translate";
  const path = summarizing ? "/v1/summarize" : "/v1/translate";
  const json = { text: body.text, source_lang: body.sourceLang, glossary: body.glossary, stream: true };
  if (summarizing) Object.assign(json, { bullets: body.bullets, include_translation: true });
  const started = performance.now();
  const live = liveDocument("Pasted text", body.sourceLang);
  let opened = false;
  // Shown once the server has taken the request (a refusal, 413 say, leaves the previous result as it was).
  const open = () => {
    if (opened) return;
    opened = true;
    $("documents").replaceChildren(live);
    $("result").hidden = false;
  };
  $("stream").hidden = false;
  $("stream-progress").value = 0;
  $("stream-status").textContent = "Waiting for the first sentence…";
  const controller = new AbortController();
  streaming = controller;
  let response = null;
  try {
    await streamEvents(path, { json, apiKey: body.apiKey, signal: controller.signal }, (name, data) => {
      open();
      if (name === "segment") addLiveRow(live, data);
      else if (name === "bullet") addLiveBullet(live, data);
      else if (name === "progress") showProgress(data);
      else if (name === "result") response = data;
      else if (name === "error") throw new ApiError(500, data.error.code, data.error.message, null);
    });
  } finally {
    controller.abort(); // an error event ends the read early: close the stream too
    streaming = null;
    $("stream").hidden = true;
  }
  if (!response) throw new ApiError(0, "stream_ended", "the answer ended before its result", null);
  const wall = (performance.now() - started) / 1000;
  const views = response.documents.map((document) => fromResponse(document, "Pasted text"));
  if (body.task === "summarize") for (const view of views) view.translation = null;
  showResult(views, response, null);
  $("result-meta").textContent = describeModel(response.model, wall);
  $("model-line").textContent = describeModel(response.model, null);
  setStatus(`Done in ${wall.toFixed(1)} s`);
}

// "Correct" on a row: its translation becomes editable; "Save" keeps it in the translation memory.
async function correctRow(button) {
  const rowNode = button.closest(".row");
  const textNode = rowNode.querySelector(".translated-text");
  if (textNode.isContentEditable) {
    const article = button.closest(".document");
    button.disabled = true;
    try {
      await saveCorrection({
        source: button.dataset.source, translation: textNode.textContent.trim(),
        sourceLang: article.dataset.sourceLang || "zh", apiKey: apiKey(),
      });
      textNode.contentEditable = "false";
      rowNode.classList.add("corrected");
      button.textContent = "Saved";
    } catch (error) {
      showError(error);
    } finally {
      button.disabled = false;
    }
    return;
  }
  textNode.contentEditable = "true";
  textNode.focus();
  button.textContent = "Save";
}

async function followJob(jobId) {
  watcher?.stop();
  const current = new JobWatcher(jobId, apiKey(), (job) => {
    $("job-progress").value = jobFraction(job);
    $("job-status").textContent = describeJob(job);
    $("job-cancel").hidden = jobEnded(job);
  });
  watcher = current;
  $("job").hidden = false;
  $("job-id").textContent = jobId;
  $("job-cancel").hidden = false;
  scrollGently($("job"), "start");
  const job = await current.watch();
  if (current.stopped) return;
  const records = await jobResults(jobId, apiKey());
  const views = records.map(fromRecord);
  if (records.length === 1 && !records[0].file) views[0].title = "Pasted text";
  showResult(views, records, jobId, job.files);
  $("result-meta").textContent = `Job ${job.id} · ${$("model-line").textContent}`;
  setStatus(`Job ${job.state}`);
  notifyEnded(job);
}

async function run() {
  clearError();
  const chosen = [...files.files];
  const body = {
    task: task(), sourceLang: $("source-lang").value, bullets: Number($("bullets").value) || 5,
    glossary: glossary.entries(), text: text.value, files: chosen, apiKey: apiKey(),
  };
  if (!chosen.length && !body.text.trim()) {
    showError(new ApiError(422, "empty", "there is no text to translate: paste some, or choose a file"));
    text.focus();
    return;
  }
  $("run").disabled = true;
  try {
    // A long text runs as a job; one over the server's limit goes straight there, to get its 413.
    const long = body.text.length > config.jobChars && body.text.length <= config.maxChars;
    if (chosen.length || long) {
      askToNotify();
      // A job's summaries need their segments to cite, so "summarize" runs as "both".
      const job = await submitJob({ ...body, task: body.task === "summarize" ? "both" : body.task });
      saveUrl(job.id);
      setStatus("Running as a job");
      await followJob(job.id);
    } else {
      watcher?.stop(); // a new run replaces the job being followed
      $("job").hidden = true;
      saveUrl(null);
      setStatus("Running…");
      await runDirect(body);
    }
  } catch (error) {
    if (error.name === "AbortError") {
      setStatus("Cancelled: the rows shown were translated before it stopped");
    } else {
      showError(error);
      setStatus("");
    }
  } finally {
    $("run").disabled = false;
  }
}

function download(name, blob) {
  const link = el("a", { href: URL.createObjectURL(blob), download: name });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 10000);
}

async function copy(textToCopy, what) {
  try {
    await navigator.clipboard.writeText(textToCopy);
    $("toolbar-status").textContent = `${what} copied`;
  } catch {
    $("toolbar-status").textContent = `Copying was refused by the browser; use the download instead`;
  }
}

function wire() {
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    run();
  });
  text.addEventListener("input", updateCounter);
  text.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      form.requestSubmit();
    }
  });
  for (const input of form.querySelectorAll('input[name="task"], #source-lang')) {
    input.addEventListener("change", () => saveUrl(shown.jobId));
  }
  files.addEventListener("change", () => { $("files-clear").hidden = !files.files.length; });
  $("files-clear").addEventListener("click", () => {
    files.value = "";
    $("files-clear").hidden = true;
  });
  const zone = $("drop-zone");
  zone.addEventListener("dragover", (event) => {
    event.preventDefault();
    zone.classList.add("dragging");
  });
  zone.addEventListener("dragleave", () => zone.classList.remove("dragging"));
  zone.addEventListener("drop", (event) => {
    event.preventDefault();
    zone.classList.remove("dragging");
    files.files = event.dataTransfer.files;
    $("files-clear").hidden = !files.files.length;
  });
  $("show-normalized").addEventListener("change", (event) => {
    $("documents").classList.toggle("normalized", event.target.checked);
  });
  $("documents").addEventListener("click", (event) => {
    const chip = event.target.closest(".chip");
    if (chip) showCited(chip);
    const correct = event.target.closest(".correct");
    if (correct) correctRow(correct);
  });
  $("stream-cancel").addEventListener("click", () => streaming?.abort());
  $("job-cancel").addEventListener("click", () => watcher?.cancel().catch(showError));
  $("copy-translation").addEventListener("click", () => copy(translationText(shown.views), "Translation"));
  $("copy-bullets").addEventListener("click", () => copy(bulletsText(shown.views), "Bullets"));
  $("download-txt").addEventListener("click", () => download("gazette.txt", new Blob(
    [[translationText(shown.views), bulletsText(shown.views)].filter(Boolean).join("\n\n") + "\n"],
    { type: "text/plain" })));
  $("download-json").addEventListener("click", () => download("gazette.json", new Blob(
    [JSON.stringify(shown.raw, null, 2)], { type: "application/json" })));
  $("file-downloads").addEventListener("click", (event) => {
    const button = event.target.closest(".file-download");
    if (!button) return;
    translatedFile(shown.jobId, button.dataset.file, apiKey())
      .then((file) => download(file.name, file.blob)).catch(showError);
  });
  const keyBox = $("api-key");
  if (keyBox) {
    keyBox.value = sessionStorage.getItem("gazette.apiKey") || "";
    keyBox.addEventListener("change", () => sessionStorage.setItem("gazette.apiKey", keyBox.value.trim()));
  }
}

// The line under the title: which model answers, or that the models are still loading.
async function showModel() {
  try {
    const ready = await requestJson("GET", "/readyz");
    $("model-line").textContent = describeModel(ready.model, null);
  } catch (error) {
    const loading = error instanceof ApiError && error.status === 503;
    $("model-line").textContent = loading ? `Models loading: ${error.message}` : "Model status unknown";
    if (loading) setTimeout(showModel, 5000);
  }
}

wire();
updateCounter();
showModel();
const resumed = restoreUrl();
if (resumed) {
  setStatus("Following the job in the address");
  followJob(resumed).catch((error) => {
    showError(error);
    setStatus("");
  });
}
