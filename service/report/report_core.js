// The claimstance report: data, filters, tabs, the pager and the details panel.
// The views (articles, speakers, matrix, over time) are in report_views.js; both are
// inlined into one script. Every string from the data goes into the page with
// textContent or as an attribute value set by property: never parsed as HTML.

const D = JSON.parse(document.getElementById("report-data").textContent);
const ARTICLES_PER_PAGE = 10;
const SPEAKERS_PER_PAGE = 50;
const LABELS = ["favor", "against", "neutral"];

const state = {
  tab: "articles", speaker: -1, source: "", target: -1, stance: "",
  page: 0, speakerPage: 0, openSpeaker: -1, selected: -1,
};
let passing = new Uint8Array(D.claims.length);
let visibleArticles = [];

function el(tag, cls, text) {
  const node = document.createElement(tag);
  if (cls) node.className = cls;
  if (text !== undefined && text !== null) node.textContent = String(text);
  return node;
}

function clear(node) {
  node.replaceChildren();
}

function plural(n, word) {
  return n + " " + word + (n === 1 ? "" : "s");
}

function claimFilterOn() {
  return state.speaker >= 0 || state.target >= 0 || state.stance !== "";
}

function claimPasses(c) {
  if (state.speaker >= 0 && c.speaker !== state.speaker) return false;
  if (state.source !== "" && D.articles[c.article].source !== state.source) return false;
  if (state.target >= 0 && !c.stances.some((s) => s.target === state.target)) return false;
  if (state.stance !== "") {
    return c.stances.some(
      (s) => s.label === state.stance && (state.target < 0 || s.target === state.target));
  }
  return true;
}

function recompute() {
  passing = new Uint8Array(D.claims.length);
  for (let i = 0; i < D.claims.length; i++) passing[i] = claimPasses(D.claims[i]) ? 1 : 0;
  visibleArticles = [];
  D.articles.forEach((a, n) => {
    if (state.source !== "" && a.source !== state.source) return;
    if (claimFilterOn() && !a.claims.some((i) => passing[i])) return;
    visibleArticles.push(n);
  });
  let shown = 0;
  for (let i = 0; i < passing.length; i++) shown += passing[i];
  document.getElementById("f-count").textContent =
    plural(visibleArticles.length, "article") + ", " + plural(shown, "claim") + " match";
}

// The stances that count under the filters: toward the chosen target, of the chosen label.
function stancesOf(c) {
  return c.stances.filter((s) => (state.target < 0 || s.target === state.target) &&
    (state.stance === "" || s.label === state.stance));
}

// One colour per claim: its stance toward the chosen target, else its only label, or mixed.
function colourOf(c) {
  const list = state.target >= 0 ? c.stances.filter((s) => s.target === state.target) : c.stances;
  if (!list.length) return "none";
  return list.every((s) => s.label === list[0].label) ? list[0].label : "mixed";
}

function chip(label) {
  return el("span", "chip st-" + label, label === "none" ? "no stance" : label);
}

function option(select, value, text) {
  const o = el("option", null, text);
  o.value = String(value);
  select.append(o);
}

function setupFilters() {
  const speaker = document.getElementById("f-speaker");
  option(speaker, -1, "any speaker");
  D.speakers.map((s, n) => n).filter((n) => D.speakers[n].claims.length)
    .sort((a, b) => D.speakers[b].claims.length - D.speakers[a].claims.length ||
      D.speakers[a].name.localeCompare(D.speakers[b].name))
    .forEach((n) => option(speaker, n, D.speakers[n].name + " (" + D.speakers[n].claims.length + ")"));
  const source = document.getElementById("f-source");
  option(source, "", "any outlet");
  D.sources.forEach((s) => option(source, s, s));
  const target = document.getElementById("f-target");
  option(target, -1, "any target");
  D.targets.forEach((t, n) => option(target, n, t));
  const stance = document.getElementById("f-stance");
  option(stance, "", "any stance");
  LABELS.forEach((l) => option(stance, l, l));
  const onChange = () => {
    state.speaker = Number(speaker.value);
    state.source = source.value;
    state.target = Number(target.value);
    state.stance = stance.value;
    state.page = 0;
    state.speakerPage = 0;
    update();
  };
  [speaker, source, target, stance].forEach((s) => s.addEventListener("change", onChange));
  document.getElementById("f-reset").addEventListener("click", () => setFilters({}));
}

// Set the filters from code (matrix cells, speaker links); absent keys are cleared.
function setFilters(f) {
  document.getElementById("f-speaker").value = String(f.speaker ?? -1);
  document.getElementById("f-source").value = f.source ?? "";
  document.getElementById("f-target").value = String(f.target ?? -1);
  document.getElementById("f-stance").value = f.stance ?? "";
  document.getElementById("f-speaker").dispatchEvent(new Event("change"));
}

function setupTabs() {
  document.querySelectorAll("#tabs button").forEach((b) =>
    b.addEventListener("click", () => { state.tab = b.dataset.tab; render(); }));
}

function pager(total, perPage, page, onPage, noun) {
  const pages = Math.max(1, Math.ceil(total / perPage));
  const bar = el("div", "pager");
  const prev = el("button", null, "‹ Previous");
  prev.type = "button";
  prev.disabled = page <= 0;
  prev.addEventListener("click", () => onPage(page - 1));
  const next = el("button", null, "Next ›");
  next.type = "button";
  next.disabled = page >= pages - 1;
  next.addEventListener("click", () => onPage(page + 1));
  const from = total ? page * perPage + 1 : 0;
  const to = Math.min(total, (page + 1) * perPage);
  bar.append(prev, el("span", "where",
    "Page " + (page + 1) + " of " + pages + " · " + noun + " " + from + "–" + to + " of " + total), next);
  if (pages > 2) {
    const go = el("input");
    go.type = "number";
    go.min = "1";
    go.max = String(pages);
    go.value = String(page + 1);
    go.setAttribute("aria-label", "go to page");
    let used = false;  // removing the focused input fires change again: once is enough
    go.addEventListener("change", () => {
      const wanted = Math.round(Number(go.value));
      if (used || !(wanted >= 1 && wanted <= pages)) return;
      used = true;
      onPage(wanted - 1);
    });
    bar.append(el("span", null, "go to"), go);
  }
  return bar;
}

function row(dl, term, value) {
  if (value === undefined || value === null || value === "") value = "—";
  dl.append(el("dt", null, term));
  const dd = el("dd");
  if (value instanceof Node) dd.append(value); else dd.textContent = String(value);
  dl.append(dd);
}

function showClaim(ci) {
  state.selected = ci;
  document.querySelectorAll("mark.q.selected").forEach((m) => m.classList.remove("selected"));
  document.querySelectorAll('mark.q[data-claim="' + ci + '"]').forEach((m) => m.classList.add("selected"));
  const c = D.claims[ci];
  const a = D.articles[c.article];
  const box = document.getElementById("details");
  clear(box);
  box.append(el("h2", null, "Claim"));
  box.append(el("blockquote", "quote", c.quote));
  const dl = el("dl");
  row(dl, "claim", c.claim);
  const who = el("button", "linkish", D.speakers[c.speaker].name);
  who.type = "button";
  who.addEventListener("click", () => showSpeaker(c.speaker));
  row(dl, "speaker", who);
  if (c.name !== D.speakers[c.speaker].name) row(dl, "in this article", c.name);
  row(dl, "mention", c.mention);
  row(dl, "role", c.role);
  row(dl, "affiliation", c.affiliation);
  row(dl, "speaker kind", c.speaker_kind);
  row(dl, "claim kind", c.kind);
  row(dl, "cue", c.cue);
  row(dl, "article", a.title);
  if (!c.located) row(dl, "in the text", "not highlighted: its span is not in the text given");
  box.append(dl);
  box.append(el("h2", null, c.stances.length ? "Stances" : "No stance"));
  c.stances.forEach((s) => {
    const sd = el("dl", "stance");
    row(sd, "target", D.targets[s.target]);
    row(sd, "stance", chip(s.label));
    row(sd, "confidence", s.confidence === null ? "not measured" : s.confidence.toFixed(3));
    row(sd, "basis", s.basis);
    row(sd, "evidence", s.evidence);
    box.append(sd);
  });
}

function showSpeaker(si) {
  const s = D.speakers[si];
  const box = document.getElementById("details");
  clear(box);
  box.append(el("h2", null, s.name));
  const dl = el("dl");
  row(dl, "kind", s.kind);
  row(dl, "also called", s.aliases.join(", "));
  row(dl, "articles", s.articles.length);
  row(dl, "claims", s.claims.length);
  s.roles.forEach(([a, r]) => row(dl, "role", r + " (" + D.articles[a].title + ")"));
  s.affiliations.forEach(([a, r]) => row(dl, "affiliation", r + " (" + D.articles[a].title + ")"));
  box.append(dl);
  box.append(el("h2", null, "Joined across articles"));
  const joins = el("ul", "joins");
  s.joins.forEach((j) => joins.append(el("li", null,
    "“" + j.name + "” in " + D.articles[j.article].title + ": " + j.reason)));
  box.append(joins);
  const only = el("button", "linkish", "Show only this speaker");
  only.type = "button";
  only.addEventListener("click", () => setFilters({ speaker: si }));
  box.append(only);
}

function render() {
  document.querySelectorAll("#tabs button").forEach((b) =>
    b.setAttribute("aria-selected", String(b.dataset.tab === state.tab)));
  const view = document.getElementById("view");
  clear(view);
  VIEWS[state.tab](view);
}

function update() {
  recompute();
  render();
}

function start() {
  document.getElementById("title").textContent = D.title;
  document.getElementById("summary").textContent = [plural(D.articles.length, "article"),
    plural(D.claims.length, "claim"), plural(D.speakers.length, "speaker"),
    plural(D.targets.length, "target")].join(" · ");
  const notes = document.getElementById("notes");
  D.notes.forEach((n) => notes.append(el("li", null, n)));
  const box = document.getElementById("details");
  box.append(el("p", "empty", "Click a highlighted quote to see its claim, speaker and stance."));
  setupFilters();
  setupTabs();
  update();
}
