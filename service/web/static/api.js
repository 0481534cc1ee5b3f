// Calls to Gazette's public /v1 API, and the one way its errors are read and explained.

export class ApiError extends Error {
  constructor(status, code, message, retryAfter) {
    super(message);
    this.status = status;
    this.code = code;
    this.retryAfter = retryAfter;
  }

  // What a person should read: the server's own message, then what to do about it.
  explain() {
    const wait = this.retryAfter ? ` Try again in ${this.retryAfter} s.` : " Try again shortly.";
    switch (this.status) {
      case 0:
        return `The server could not be reached (${this.message}). Your text is kept; try again.`;
      case 401:
        return `An API key is needed, or the one given is wrong: ${this.message}`;
      case 413:
        return `Too large: ${this.message}. Nothing was run; your text is kept.`;
      case 415:
      case 422:
        return `The request was refused: ${this.message}`;
      case 429:
        return `The server is busy: ${this.message}.${wait}`;
      case 503:
        return `The models are not ready: ${this.message}.${wait}`;
      case 504:
        return `The server stopped waiting for the model: ${this.message}. A long text runs better as ` +
          "a job: upload it as a file.";
      default:
        return `Error ${this.status} (${this.code}): ${this.message}`;
    }
  }
}

export function authHeaders(apiKey) {
  return apiKey ? { Authorization: `Bearer ${apiKey}` } : {};
}

async function errorFrom(response) {
  const retryAfter = response.headers.get("Retry-After");
  let code = "http_error";
  let message = response.statusText || "no message";
  try {
    const body = await response.json();
    if (body && body.error) {
      code = body.error.code || code;
      message = body.error.message || message;
    }
  } catch {
    // Not the API's error body (a proxy's page, say): the status line is all there is.
  }
  return new ApiError(response.status, code, message, retryAfter);
}

// method, path, and one of json (an object) or form (FormData); returns the Response when it is OK.
export async function request(method, path, { json, form, apiKey, signal } = {}) {
  const headers = { ...authHeaders(apiKey) };
  let body;
  if (json !== undefined) {
    headers["Content-Type"] = "application/json";
    body = JSON.stringify(json);
  } else if (form !== undefined) {
    body = form;
  }
  let response;
  try {
    response = await fetch(path, { method, headers, body, signal });
  } catch (error) {
    if (error.name === "AbortError") throw error;
    throw new ApiError(0, "network", String(error.message || error), null);
  }
  if (!response.ok) throw await errorFrom(response);
  return response;
}

export async function requestJson(method, path, options) {
  const response = await request(method, path, options);
  return response.json();
}

// The lines of a JSON Lines body, parsed.
export async function requestJsonLines(path, options) {
  const response = await request("GET", path, options);
  const text = await response.text();
  return text.split("\n").filter((line) => line.trim()).map((line) => JSON.parse(line));
}

// POST `json` to `path` asking for Server-Sent Events; `onEvent(name, data)` for each event as it comes.
// (EventSource cannot POST, so the stream is read from fetch: blocks end at a blank line, `event:` names
// one, `data:` lines carry its JSON, `:` lines are the server's keep-alive pings.)
export async function streamEvents(path, { json, apiKey, signal }, onEvent) {
  const headers = { ...authHeaders(apiKey), "Content-Type": "application/json", Accept: "text/event-stream" };
  let response;
  try {
    response = await fetch(path, { method: "POST", headers, body: JSON.stringify(json), signal });
  } catch (error) {
    if (error.name === "AbortError") throw error;
    throw new ApiError(0, "network", String(error.message || error), null);
  }
  if (!response.ok) throw await errorFrom(response);
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer = (buffer + value).replace(/\r\n/g, "\n");
    let end;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      let name = "message";
      const data = [];
      for (const line of block.split("\n")) {
        const colon = line.indexOf(":");
        if (colon === 0) continue;
        const field = colon < 0 ? line : line.slice(0, colon);
        const content = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
        if (field === "event") name = content;
        else if (field === "data") data.push(content);
      }
      if (data.length) onEvent(name, JSON.parse(data.join("\n")));
    }
  }
}

// A person's translation of one source sentence, kept for their tenant (it wins from the next run on).
export async function saveCorrection({ source, translation, sourceLang, apiKey }) {
  return requestJson("PUT", "/v1/memory", {
    json: { source, translation, source_lang: sourceLang }, apiKey,
  });
}
