// Long work as a job of the jobs API: submit, watch its progress, cancel, read its results.

import { request, requestJson, requestJsonLines } from "./api.js";

const ENDED = new Set(["done", "failed", "cancelled"]);

// Uploads go as multipart (each file one item, translated back in its own format); a long paste as
// one JSON item.
export function submitJob({ task, sourceLang, bullets, glossary, text, files, apiKey }) {
  if (files.length) {
    const form = new FormData();
    form.append("task", task);
    form.append("source_lang", sourceLang);
    form.append("bullets", String(bullets));
    form.append("glossary", JSON.stringify(glossary));
    for (const file of files) form.append("files", file, file.name);
    return requestJson("POST", "/v1/jobs", { form, apiKey });
  }
  const json = { task, source_lang: sourceLang, bullets, glossary, items: [{ id: "text", text }] };
  return requestJson("POST", "/v1/jobs", { json, apiKey });
}

export function jobEnded(job) {
  return ENDED.has(job.state);
}

function duration(seconds) {
  if (seconds === null || seconds === undefined) return "unknown";
  const whole = Math.round(seconds);
  return whole >= 60 ? `${Math.floor(whole / 60)} min ${whole % 60} s` : `${whole} s`;
}

export function describeJob(job) {
  const items = job.items;
  const counts = `${items.done} of ${items.total} items done` +
    (items.failed ? `, ${items.failed} failed` : "") +
    (items.cancelled ? `, ${items.cancelled} cancelled` : "");
  const chars = `${job.characters_done.toLocaleString()} of ${job.characters.toLocaleString()} characters`;
  const time = jobEnded(job)
    ? `took ${duration(job.seconds)}`
    : `${duration(job.seconds)} so far, about ${duration(job.eta_seconds)} left`;
  return `${job.state}: ${counts} (${chars}); ${time}`;
}

// The job's share done: by characters, which track the work better than whole items.
export function jobFraction(job) {
  if (job.state === "done") return 1;
  return job.characters ? job.characters_done / job.characters : 0;
}

// Polls the job until it ends (or `stop()` is called); `onUpdate(job)` after every reading.
export class JobWatcher {
  constructor(id, apiKey, onUpdate) {
    this.id = id;
    this.apiKey = apiKey;
    this.onUpdate = onUpdate;
    this.stopped = false;
  }

  async watch() {
    let pause = 500;
    for (;;) {
      const job = await requestJson("GET", `/v1/jobs/${encodeURIComponent(this.id)}`, { apiKey: this.apiKey });
      if (this.stopped) return job;
      this.onUpdate(job);
      if (jobEnded(job)) return job;
      await new Promise((resolve) => setTimeout(resolve, pause));
      pause = Math.min(pause * 1.5, 3000); // quick for short jobs, gentle on the server for long ones
    }
  }

  stop() {
    this.stopped = true;
  }

  cancel() {
    return request("DELETE", `/v1/jobs/${encodeURIComponent(this.id)}`, { apiKey: this.apiKey });
  }
}

export function jobResults(id, apiKey) {
  return requestJsonLines(`/v1/jobs/${encodeURIComponent(id)}/results`, { apiKey });
}

// The translation of an uploaded file and the name it goes by (the server's: a PDF's is NAME.docx).
export async function translatedFile(id, name, apiKey) {
  const path = `/v1/jobs/${encodeURIComponent(id)}/files/${encodeURIComponent(name)}`;
  const response = await request("GET", path, { apiKey });
  const given = /filename\*=UTF-8''([^;]+)/.exec(response.headers.get("content-disposition") || "");
  return { blob: await response.blob(), name: given ? decodeURIComponent(given[1]) : name };
}

// Asked on the click that starts a job (browsers only ask from a user's gesture).
export function askToNotify() {
  if ("Notification" in window && Notification.permission === "default") {
    Notification.requestPermission().catch(() => {});
  }
}

export function notifyEnded(job) {
  if ("Notification" in window && Notification.permission === "granted") {
    new Notification("Gazette: job " + job.state, { body: describeJob(job), tag: `gazette-${job.id}` });
  }
}
