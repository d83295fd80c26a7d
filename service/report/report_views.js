// The report's four views. Each builds DOM for what is on screen only: one page of
// articles, one page of speakers, the matrix's top rows, the dated buckets.

function safeUrl(url) {
  try {
    const u = new URL(url);
    return u.protocol === "http:" || u.protocol === "https:" ? u.href : null;
  } catch (e) {
    return null;
  }
}

function markNode(kind, ref) {
  if (kind === "q" || kind === "Q") {
    const c = D.claims[ref];
    const m = el("mark", "q st-" + colourOf(c) + (kind === "Q" ? " cont" : ""));
    m.dataset.claim = String(ref);
    m.tabIndex = 0;
    m.setAttribute("role", "button");
    m.setAttribute("aria-label", "claim by " + D.speakers[c.speaker].name);
    if (!passing[ref]) m.classList.add("dim");
    if (ref === state.selected) m.classList.add("selected");
    return m;
  }
  if (kind === "m") {
    const m = el("span", "mention" + (ref === state.speaker ? " sel" : ""));
    m.dataset.speaker = String(ref);
    return m;
  }
  return el("span", kind === "c" ? "cue" : "gap");
}

// The marks nest (the report checked and cut them), so one stack builds the elements.
function renderText(a) {
  const root = el("div", "text");
  const text = a.text;
  const stack = [{ node: root, end: text.length }];
  let pos = 0;
  const emit = (upto) => {
    if (upto > pos) {
      stack[stack.length - 1].node.append(document.createTextNode(text.slice(pos, upto)));
      pos = upto;
    }
  };
  const close = () => {
    emit(stack[stack.length - 1].end);
    stack.pop();
  };
  for (const [kind, s, e, ref] of a.marks) {
    while (stack.length > 1 && stack[stack.length - 1].end <= s) close();
    emit(s);
    const node = markNode(kind, ref);
    stack[stack.length - 1].node.append(node);
    stack.push({ node: node, end: e });
  }
  while (stack.length > 1) close();
  emit(text.length);
  return root;
}

function claimList(indices, limit) {
  const list = el("ul", "loose");
  indices.slice(0, limit).forEach((ci) => {
    const c = D.claims[ci];
    const li = el("li");
    li.dataset.jump = String(ci);
    li.append(chip(colourOf(c)), " ", el("b", null, D.speakers[c.speaker].name), ": ",
      el("span", null, c.quote), el("span", "meta", " — " + D.articles[c.article].title));
    list.append(li);
  });
  if (indices.length > limit) list.append(el("li", "empty", "and " + (indices.length - limit) + " more"));
  return list;
}

function articleCard(n) {
  const a = D.articles[n];
  const card = el("article", "article");
  card.dataset.article = a.id;
  card.append(el("h2", null, a.title));
  const meta = el("p", "meta");
  meta.append([a.source || "no outlet", a.published || "no date", plural(a.claims.length, "claim")].join(" · "));
  const url = a.url && safeUrl(a.url);
  if (url) {
    const link = el("a", null, a.url);
    link.href = url;
    link.rel = "noopener noreferrer";
    link.target = "_blank";
    meta.append(" · ", link);
  } else if (a.url) {
    meta.append(" · " + a.url);
  }
  card.append(meta);
  if (a.warnings.length) {
    const w = el("ul", "warnings");
    a.warnings.forEach((x) => {
      const li = el("li");
      li.append(el("code", null, x.code), ": " + x.message);
      w.append(li);
    });
    card.append(w);
  }
  if (a.note) card.append(el("p", "note", a.note));
  if (a.text !== null) card.append(renderText(a));
  const unplaced = a.claims.filter((ci) => !D.claims[ci].located);
  if (unplaced.length) {
    card.append(el("h3", null, a.text === null ? "Claims" : "Claims not marked in the text"));
    card.append(claimList(unplaced, unplaced.length));
  }
  return card;
}

function renderArticles(view) {
  const total = visibleArticles.length;
  const pages = Math.max(1, Math.ceil(total / ARTICLES_PER_PAGE));
  state.page = Math.min(state.page, pages - 1);
  const onPage = (p) => { state.page = p; render(); window.scrollTo(0, 0); };
  view.append(pager(total, ARTICLES_PER_PAGE, state.page, onPage, "articles"));
  if (!total) view.append(el("p", "empty", "No article matches the filters."));
  visibleArticles.slice(state.page * ARTICLES_PER_PAGE, (state.page + 1) * ARTICLES_PER_PAGE)
    .forEach((n) => view.append(articleCard(n)));
  if (total > ARTICLES_PER_PAGE) view.append(pager(total, ARTICLES_PER_PAGE, state.page, onPage, "articles"));
}

function jumpToClaim(ci) {
  const where = visibleArticles.indexOf(D.claims[ci].article);
  if (where < 0) return;
  state.tab = "articles";
  state.page = Math.floor(where / ARTICLES_PER_PAGE);
  render();
  const mark = document.querySelector('mark.q[data-claim="' + ci + '"]');
  if (mark) mark.scrollIntoView({ block: "center" });
  showClaim(ci);
}

function stanceBar(counts) {
  const total = counts.favor + counts.against + counts.neutral;
  const bar = el("span", "bar");
  bar.setAttribute("title", LABELS.map((l) => counts[l] + " " + l).join(", "));
  if (total) LABELS.forEach((l) => {
    const part = el("span", "st-" + l);
    part.style.width = (100 * counts[l] / total) + "%";
    bar.append(part);
  });
  return bar;
}

function countStances(indices, target) {
  const counts = { favor: 0, against: 0, neutral: 0 };
  indices.forEach((ci) => {
    if (!passing[ci]) return;
    stancesOf(D.claims[ci]).forEach((s) => {
      if (target === undefined || s.target === target) counts[s.label]++;
    });
  });
  return counts;
}

function renderSpeakers(view) {
  const rows = D.speakers.map((s, n) => [n, s.claims.filter((ci) => passing[ci]).length])
    .filter(([n, k]) => k > 0 || (!claimFilterOn() && state.source === "" && !D.speakers[n].claims.length))
    .sort((x, y) => y[1] - x[1] || D.speakers[x[0]].name.localeCompare(D.speakers[y[0]].name));
  const pages = Math.max(1, Math.ceil(rows.length / SPEAKERS_PER_PAGE));
  state.speakerPage = Math.min(state.speakerPage, pages - 1);
  view.append(pager(rows.length, SPEAKERS_PER_PAGE, state.speakerPage,
    (p) => { state.speakerPage = p; render(); }, "speakers"));
  const table = el("table", "speakers");
  const head = el("tr");
  ["Speaker", "Kind", "Articles", "Claims", "Stances", "Also called"].forEach((h) => head.append(el("th", null, h)));
  table.append(head);
  rows.slice(state.speakerPage * SPEAKERS_PER_PAGE, (state.speakerPage + 1) * SPEAKERS_PER_PAGE)
    .forEach(([n, k]) => {
      const s = D.speakers[n];
      const tr = el("tr", "row" + (n === state.openSpeaker ? " open" : ""));
      tr.dataset.speaker = String(n);
      const stances = el("td");
      stances.append(stanceBar(countStances(s.claims)));
      tr.append(el("td", null, s.name), el("td", null, s.kind), el("td", null, s.articles.length),
        el("td", null, k), stances, el("td", null, s.aliases.join(", ")));
      table.append(tr);
      if (n !== state.openSpeaker) return;
      const more = el("tr", "more");
      const td = el("td");
      td.colSpan = 6;
      s.joins.forEach((j) => td.append(el("div", "meta",
        "joined “" + j.name + "” (" + D.articles[j.article].title + "): " + j.reason)));
      td.append(claimList(s.claims.filter((ci) => passing[ci]), 200));
      more.append(td);
      table.append(more);
    });
  view.append(table);
}

function renderMatrix(view) {
  const rows = new Map();
  const cols = new Map();
  const cells = [];
  D.matrix.forEach((cell) => {
    const counts = countStances(cell.claims, cell.target);
    const total = counts.favor + counts.against + counts.neutral;
    if (!total) return;
    cells.push([cell, counts]);
    rows.set(cell.speaker, (rows.get(cell.speaker) || 0) + total);
    cols.set(cell.target, (cols.get(cell.target) || 0) + total);
  });
  const top = (m, k) => [...m.entries()].sort((x, y) => y[1] - x[1]).slice(0, k).map((e) => e[0]);
  const rowIds = top(rows, 40);
  const colIds = top(cols, 15);
  if (!rowIds.length) { view.append(el("p", "empty", "No stance matches the filters.")); return; }
  view.append(el("p", "meta", "Counts of favor / against / neutral stances; showing " +
    rowIds.length + " of " + rows.size + " speakers and " + colIds.length + " of " + cols.size +
    " targets, most stances first. Click a cell to see its claims."));
  const byKey = new Map(cells.map(([c, k]) => [c.speaker + ":" + c.target, k]));
  const table = el("table", "matrix");
  const head = el("tr");
  head.append(el("th", null, "Speaker ↓ · target →"));
  colIds.forEach((t) => head.append(el("th", null, D.targets[t])));
  table.append(head);
  rowIds.forEach((s) => {
    const tr = el("tr");
    tr.append(el("th", null, D.speakers[s].name));
    colIds.forEach((t) => {
      const k = byKey.get(s + ":" + t);
      const td = el("td", k ? "cell" : "");
      if (k) {
        const net = (k.favor - k.against) / (k.favor + k.against + k.neutral);
        td.style.background = net > 0 ? "rgba(45,164,78," + (0.1 + 0.35 * net) + ")"
          : net < 0 ? "rgba(207,34,46," + (0.1 - 0.35 * net) + ")" : "#f0f2f5";
        const counts = el("span", "counts");
        counts.append(el("b", "f", k.favor), "/", el("b", "a", k.against), "/", el("b", "n", k.neutral));
        td.append(counts);
        td.dataset.speaker = String(s);
        td.dataset.target = String(t);
      }
      tr.append(td);
    });
    table.append(tr);
  });
  const box = el("div", "scroll");
  box.append(table);
  view.append(box);
}

function renderTime(view) {
  let buckets = D.timeline.map((b) => [b.date, countStances(b.claims)]);
  const byMonth = buckets.length > 60;
  if (byMonth) {
    const months = new Map();
    buckets.forEach(([d, k]) => {
      const m = months.get(d.slice(0, 7)) || { favor: 0, against: 0, neutral: 0 };
      LABELS.forEach((l) => { m[l] += k[l]; });
      months.set(d.slice(0, 7), m);
    });
    buckets = [...months.entries()];
  }
  const undated = D.undated ? plural(D.undated, "claim") + " of articles without a date are not shown." : "";
  if (!buckets.length) {
    view.append(el("p", "empty", "No article has a publication date (published), so there is no stance over time. " + undated));
    return;
  }
  view.append(el("p", "meta", "Stances per " + (byMonth ? "month" : "day") +
    " of publication, stacked favor / against / neutral. " + undated));
  const max = Math.max(1, ...buckets.map(([, k]) => k.favor + k.against + k.neutral));
  const barW = 22, gap = 6, h = 220, pad = 30;
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  const width = pad + buckets.length * (barW + gap);
  svg.setAttribute("width", String(width));
  svg.setAttribute("height", String(h + 60));
  svg.setAttribute("role", "img");
  svg.setAttribute("aria-label", "stance over time");
  const every = Math.ceil(buckets.length / 30);
  buckets.forEach(([d, k], i) => {
    const x = pad + i * (barW + gap);
    let y = h;
    LABELS.forEach((l) => {
      const bh = (h - 10) * k[l] / max;
      if (!bh) return;
      y -= bh;
      const r = document.createElementNS(ns, "rect");
      r.setAttribute("x", String(x));
      r.setAttribute("y", String(y));
      r.setAttribute("width", String(barW));
      r.setAttribute("height", String(bh));
      r.setAttribute("class", "st-" + l);
      const tip = document.createElementNS(ns, "title");
      tip.textContent = d + ": " + k[l] + " " + l;
      r.append(tip);
      svg.append(r);
    });
    if (i % every === 0) {
      const t = document.createElementNS(ns, "text");
      t.setAttribute("transform", "translate(" + (x + 4) + "," + (h + 8) + ") rotate(60)");
      t.textContent = d;
      svg.append(t);
    }
  });
  const box = el("div", "scroll");
  box.append(svg);
  view.append(box);
  const table = el("table", "time");
  const head = el("tr");
  [byMonth ? "Month" : "Date", ...LABELS].forEach((x) => head.append(el("th", null, x)));
  table.append(head);
  buckets.forEach(([d, k]) => {
    const tr = el("tr");
    tr.append(el("td", null, d), ...LABELS.map((l) => el("td", null, k[l])));
    table.append(tr);
  });
  view.append(table);
}

const VIEWS = { articles: renderArticles, speakers: renderSpeakers, matrix: renderMatrix, time: renderTime };

function onActivate(event) {
  const target = event.target;
  const quote = target.closest("mark.q");
  if (quote) { showClaim(Number(quote.dataset.claim)); return; }
  const mention = target.closest(".mention");
  if (mention) { showSpeaker(Number(mention.dataset.speaker)); return; }
  const jump = target.closest("[data-jump]");
  if (jump) { jumpToClaim(Number(jump.dataset.jump)); return; }
  const cell = target.closest("td.cell");
  if (cell) {
    state.tab = "articles";
    setFilters({ speaker: Number(cell.dataset.speaker), target: Number(cell.dataset.target) });
    return;
  }
  const speakerRow = target.closest("tr.row");
  if (speakerRow) {
    const n = Number(speakerRow.dataset.speaker);
    state.openSpeaker = state.openSpeaker === n ? -1 : n;
    render();
    showSpeaker(n);
  }
}

document.getElementById("view").addEventListener("click", onActivate);
document.getElementById("view").addEventListener("keydown", (event) => {
  if ((event.key === "Enter" || event.key === " ") && event.target.closest("mark.q")) {
    event.preventDefault();
    onActivate(event);
  }
});
start();
