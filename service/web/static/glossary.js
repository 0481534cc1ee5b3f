// The glossary editor: term → rendering rows, kept in the browser's storage, pasteable as TSV.

const STORAGE_KEY = "gazette.glossary";

// Rows of "term<TAB>rendering" (a spreadsheet's copy); lines without a tab or with an empty side skipped.
export function parseTsv(text) {
  const rows = [];
  for (const line of text.split(/\r?\n/)) {
    const cut = line.indexOf("\t");
    if (cut < 0) continue;
    const term = line.slice(0, cut).trim();
    const rendering = line.slice(cut + 1).split("\t")[0].trim();
    if (term && rendering) rows.push([term, rendering]);
  }
  return rows;
}

function load() {
  try {
    const stored = JSON.parse(localStorage.getItem(STORAGE_KEY) || "[]");
    return Array.isArray(stored) ? stored.filter((row) => Array.isArray(row) && row.length === 2) : [];
  } catch {
    return [];
  }
}

export class GlossaryEditor {
  constructor({ rows, addButton, tsvBox, importButton, count }) {
    this.rows = rows;
    this.count = count;
    addButton.addEventListener("click", () => this.addRow("", "", true));
    importButton.addEventListener("click", () => {
      this.addRows(parseTsv(tsvBox.value));
      tsvBox.value = "";
    });
    for (const [term, rendering] of load()) this.addRow(term, rendering, false);
    this.refresh();
  }

  // The glossary to send: {term: rendering}, rows with an empty side left out.
  entries() {
    const glossary = {};
    for (const [term, rendering] of this.pairs()) {
      if (term && rendering) glossary[term] = rendering;
    }
    return glossary;
  }

  pairs() {
    return [...this.rows.querySelectorAll("tr")].map((row) => {
      const [term, rendering] = row.querySelectorAll("input");
      return [term.value.trim(), rendering.value.trim()];
    });
  }

  addRows(pairs) {
    for (const [term, rendering] of pairs) this.addRow(term, rendering, false);
    this.refresh();
  }

  addRow(term, rendering, focus) {
    const index = this.rows.children.length + 1;
    const row = document.createElement("tr");
    row.append(
      this.cell(term, `Term ${index}`),
      this.cell(rendering, `Rendering ${index}`),
    );
    const remove = document.createElement("button");
    remove.type = "button";
    remove.textContent = "Remove";
    remove.setAttribute("aria-label", `Remove term ${index}`);
    remove.addEventListener("click", () => {
      row.remove();
      this.refresh();
    });
    const last = document.createElement("td");
    last.append(remove);
    row.append(last);
    this.rows.append(row);
    if (focus) row.querySelector("input").focus();
    this.refresh();
  }

  cell(value, label) {
    const input = document.createElement("input");
    input.type = "text";
    input.value = value;
    input.setAttribute("aria-label", label);
    input.addEventListener("change", () => this.refresh());
    input.addEventListener("paste", (event) => {
      const pasted = event.clipboardData ? event.clipboardData.getData("text") : "";
      const rows = parseTsv(pasted);
      if (rows.length === 0) return; // plain text: an ordinary paste into the cell
      event.preventDefault();
      this.addRows(rows);
    });
    const cell = document.createElement("td");
    cell.append(input);
    return cell;
  }

  refresh() {
    const pairs = this.pairs();
    localStorage.setItem(STORAGE_KEY, JSON.stringify(pairs.filter(([t, r]) => t || r)));
    const filled = Object.keys(this.entries()).length;
    this.count.textContent = `${filled} term${filled === 1 ? "" : "s"}`;
  }
}
