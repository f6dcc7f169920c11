// The dashboard's only source is the control API (/_sandbox/, specs/sandbox-control.yaml).
// Everything shown from the server is set as text, never as HTML: journal paths and bodies are
// whatever a client sent.
"use strict";
(() => {
  const $ = (id) => document.getElementById(id);
  const POLL_MS = 1000;
  const MAX_ROWS = 200;
  const params = new URLSearchParams(location.search);
  const state = {
    world: params.get("world") || sessionStorage.getItem("patientmsg-world") || "",
    token: sessionStorage.getItem("patientmsg-control-token") || "",
    lastId: 0,
    apis: [],
    operations: new Set(),
    open: new Set(),
  };

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === undefined || value === null || value === false) continue;
      if (key === "class") node.className = value;
      else if (key === "text") node.textContent = value;
      else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
      else node.setAttribute(key, value === true ? "" : String(value));
    }
    for (const child of children.flat()) {
      if (child === null || child === undefined) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  function notice(text, isError) {
    const box = $("notice");
    box.textContent = text;
    box.className = isError ? "notice error" : "notice";
    box.hidden = false;
    clearTimeout(notice.timer);
    notice.timer = setTimeout(() => { box.hidden = true; }, isError ? 8000 : 3500);
  }

  async function control(method, path, body) {
    const headers = { Accept: "application/json" };
    if (state.world) headers["Patientmsg-Sandbox"] = state.world;
    if (state.token) headers.Authorization = "Bearer " + state.token;
    if (body !== undefined) headers["Content-Type"] = "application/json";
    const response = await fetch("/_sandbox" + path, {
      method, headers, body: body === undefined ? undefined : JSON.stringify(body),
    });
    let payload = null;
    try { payload = await response.json(); } catch (_) { payload = null; }
    if (response.status === 401 && !control.asked) {
      control.asked = true;
      const token = prompt("This sandbox needs its control token (serve --control-token):");
      if (token) {
        state.token = token;
        sessionStorage.setItem("patientmsg-control-token", token);
        control.asked = false;
        return control(method, path, body);
      }
    }
    if (!response.ok) {
      const message = payload && payload.message ? payload.message : response.status + " " + response.statusText;
      throw new Error(message);
    }
    return payload;
  }

  const worldName = () => state.world || "default";

  // --- world: summary, APIs, credentials ---------------------------------------------------
  function renderApis(mounts) {
    const body = $("apis");
    body.replaceChildren();
    for (const [api, where] of Object.entries(mounts)) {
      body.append(el("tr", { "data-api": api },
        el("td", {}, el("strong", { text: api })),
        el("td", {}, el("code", { text: location.origin + where.prefix })),
        el("td", {}, el("span", { class: where.root ? "pill yes" : "pill", text: where.root ? "also at /" : "prefix only" })),
        el("td", { class: "nowrap" },
          el("a", { href: where.prefix + "/ui/", class: "swagger", text: "Swagger UI" }), " · ",
          el("a", { href: where.prefix + "/openapi.json", text: "spec" })),
      ));
    }
  }

  function authRows(api, part) {
    const rows = [];
    const auth = part.auth || {};
    if (auth.oauth2) {
      rows.push(["token URL", "POST " + location.origin + "/" + api + auth.oauth2.token_url]);
      rows.push(["client_id", auth.oauth2.client_id]);
      rows.push(["client_secret", auth.oauth2.client_secret]);
    }
    if (auth.bearer_token) rows.push(["bearer token", auth.bearer_token]);
    if (auth.basic) {
      rows.push(["username", auth.basic.username]);
      rows.push(["password", auth.basic.password]);
    }
    if (auth.logins) {
      if (auth.token_url) rows.push(["token URL", "POST " + location.origin + "/" + api + auth.token_url]);
      for (const [role, login] of Object.entries(auth.logins)) rows.push([role, login.username + " / " + login.password]);
    }
    return rows;
  }

  function definitionList(rows) {
    const list = el("dl", {});
    for (const [key, value] of rows) list.append(el("dt", { text: key }), el("dd", { text: String(value) }));
    return list;
  }

  function renderCredentials(apis) {
    const box = $("credentials");
    box.replaceChildren();
    for (const [api, part] of Object.entries(apis)) {
      const ids = Object.entries(part.ids || {});
      // A long list of ids (the portal's) folds away, so every API's credentials stay in view.
      const shown = ids.length > 10 ? [] : ids;
      const block = el("div", { class: "cred", "data-api": api }, el("h3", { text: api }),
        definitionList([...authRows(api, part), ...shown]));
      if (shown.length < ids.length) {
        block.append(el("details", {}, el("summary", { text: `ids (${ids.length})` }), definitionList(ids)));
      }
      if (part.second) {
        const other = definitionList([...authRows(api, part.second), ...Object.entries(part.second.ids || {})]);
        block.append(el("details", {}, el("summary", { text: "second client (other practice)" }), other));
      }
      box.append(block);
    }
  }

  function fillApiSelects(apis) {
    for (const id of ["fault-api", "journal-api"]) {
      const select = $(id);
      const keep = select.value;
      select.replaceChildren(select.options[0]);
      for (const api of apis) select.append(el("option", { value: api, text: api }));
      select.value = apis.includes(keep) ? keep : "";
    }
  }

  async function loadWorld() {
    const info = await control("GET", "/world");
    state.apis = Object.keys(info.mounts);
    const messages = Object.entries(info.counts || {}).filter(([table]) => /message|item|queue/i.test(table))
      .reduce((sum, [, n]) => sum + n, 0);
    $("summary").textContent = `world ${info.world} · scenario ${info.scenario} · seed ${info.seed}` +
      (messages ? ` · ${messages.toLocaleString()} records` : "");
    renderApis(info.mounts);
    renderCredentials(info.apis || {});
    fillApiSelects(state.apis);
  }

  // --- clock -------------------------------------------------------------------------------
  function renderClock(clock) {
    $("clock-now").textContent = clock.now;
    const mode = $("clock-mode");
    mode.textContent = clock.fixed ? "fixed" : "running";
    mode.className = clock.fixed ? "pill" : "pill yes";
  }

  async function loadClock() { renderClock(await control("GET", "/clock")); }

  async function changeClock(change) {
    try {
      renderClock(await control("POST", "/clock", change));
      notice("Clock now " + $("clock-now").textContent);
    } catch (error) { notice(error.message, true); }
  }

  // --- faults ------------------------------------------------------------------------------
  function describeFault(rule) {
    const match = Object.entries(rule.match || {}).map(([k, v]) => `${k}=${v}`).join(" ") || "every vendor request";
    const e = rule.effect;
    let effect = e.type;
    if (e.type === "status") effect = `answer ${e.status}`;
    else if (e.type === "rate_limit") effect = `429, Retry-After ${e.retry_after ?? 1}s`;
    else if (e.type === "latency") effect = e.ms !== undefined ? `+${e.ms} ms` : `+${e.min_ms}–${e.max_ms} ms`;
    else if (e.type === "drop") effect = "drop the connection";
    const how = rule.times !== null && rule.times !== undefined ? `${rule.times} left` :
      rule.probability !== null && rule.probability !== undefined ? `p=${rule.probability}` : "always";
    return { match, effect, how };
  }

  function renderFaults(faults) {
    const list = $("faults");
    list.replaceChildren();
    if (!faults.length) {
      list.append(el("li", { class: "none", text: "No active faults: every request is answered normally." }));
      return;
    }
    for (const rule of faults) {
      const { match, effect, how } = describeFault(rule);
      list.append(el("li", { "data-fault-id": rule.id },
        el("span", { class: "tag", text: rule.id }),
        el("span", { class: "what" }, el("strong", { text: effect }), " on ", el("code", { text: match })),
        el("span", { class: "counts", text: `${how} · fired ${rule.fired}/${rule.matched}` }),
        el("button", { type: "button", class: "link", title: "Remove this rule", text: "remove",
          onclick: () => removeFault(rule.id) }),
      ));
    }
  }

  async function loadFaults() { renderFaults((await control("GET", "/faults")).faults); }

  async function removeFault(id) {
    try { await control("DELETE", "/faults/" + encodeURIComponent(id)); await loadFaults(); notice(`Removed ${id}`); }
    catch (error) { notice(error.message, true); }
  }

  function faultInput() {
    const match = {};
    for (const [key, id] of [["api", "fault-api"], ["operationId", "fault-operation"], ["method", "fault-method"], ["path", "fault-path"]]) {
      const value = $(id).value.trim();
      if (value) match[key] = value;
    }
    const type = $("fault-type").value;
    const effect = { type };
    if (type === "status") effect.status = Number($("fault-status").value);
    if (type === "latency") effect.ms = Number($("fault-ms").value);
    if (type === "rate_limit") effect.retry_after = Number($("fault-retry").value);
    const rule = { match, effect };
    if ($("fault-times").value) rule.times = Number($("fault-times").value);
    if ($("fault-probability").value) rule.probability = Number($("fault-probability").value);
    return rule;
  }

  function showEffectFields() {
    const type = $("fault-type").value;
    for (const label of document.querySelectorAll("[data-for]")) label.hidden = label.dataset.for !== type;
  }

  // --- journal -----------------------------------------------------------------------------
  function statusClass(status) { return status === null ? "sx" : "s" + String(status)[0]; }

  function detailRow(entry) {
    const parts = [["query", entry.query], ["request headers", JSON.stringify(entry.request_headers, null, 2)],
      ["request body", entry.request_body], ["response body", entry.response_body]];
    const cell = el("td", { colspan: 8 });
    for (const [title, text] of parts) if (text) cell.append(el("h4", { text: title }), el("pre", { text: prettyJson(text) }));
    if (entry.truncated) cell.append(el("p", { class: "hint", text: "Bodies cut to the journal's size limit." }));
    return el("tr", { class: "detail", "data-detail": entry.id }, cell);
  }

  function prettyJson(text) {
    try { return JSON.stringify(JSON.parse(text), null, 2); } catch (_) { return text; }
  }

  function entryRow(entry) {
    const row = el("tr", { class: "entry fresh", "data-id": entry.id, "data-status": entry.status ?? "dropped" },
      el("td", { class: "num", text: entry.id }),
      el("td", { class: "mono nowrap", title: entry.time, text: (entry.time || "").slice(11, 19) }),
      el("td", { text: entry.method }),
      el("td", { class: "path", text: entry.path + (entry.query ? "?" + entry.query : "") }),
      el("td", { class: "status " + statusClass(entry.status), text: entry.status ?? "dropped" }),
      el("td", { text: [entry.api, entry.operationId].filter(Boolean).join(" · ") || "—" }),
      el("td", { class: "num", text: entry.latency_ms.toFixed(1) }),
      el("td", {}, entry.fault ? el("span", { class: "tag fault", text: entry.fault }) : ""),
    );
    row.addEventListener("click", () => {
      const open = document.querySelector(`tr[data-detail="${entry.id}"]`);
      if (open) { open.remove(); return; }
      row.after(detailRow(entry));
    });
    return row;
  }

  async function pollJournal() {
    const query = new URLSearchParams({ after: String(state.lastId) });
    if ($("journal-api").value) query.set("api", $("journal-api").value);
    const page = await control("GET", "/requests?" + query);
    const body = $("journal");
    for (const entry of page.entries) {
      state.lastId = Math.max(state.lastId, entry.id);
      body.prepend(entryRow(entry));
      if (entry.operationId && !state.operations.has(entry.operationId)) {
        state.operations.add(entry.operationId);
        $("operation-ids").append(el("option", { value: entry.operationId }));
      }
    }
    while (body.querySelectorAll("tr.entry").length > MAX_ROWS) {
      const last = body.querySelector("tr.entry:last-of-type");
      const detail = body.querySelector(`tr[data-detail="${last.dataset.id}"]`);
      if (detail) detail.remove();
      last.remove();
    }
    $("journal-empty").hidden = body.children.length > 0;
    $("journal-count").textContent =
      `world ${page.world} · last ${page.capacity.toLocaleString()} kept` + (page.recording ? "" : " · paused");
    $("journal-recording").checked = page.recording;
    return page.entries.length;
  }

  function restartJournal() {
    state.lastId = 0;
    $("journal").replaceChildren();
    $("journal-empty").hidden = false;
  }

  // --- wiring ------------------------------------------------------------------------------
  async function refreshAll() {
    try {
      await Promise.all([loadWorld(), loadClock(), loadFaults()]);
      restartJournal();
      await pollJournal();
    } catch (error) { notice(error.message, true); }
  }

  async function tick() {
    if ($("journal-live").checked && !document.hidden) {
      try {
        const fresh = await pollJournal();
        if (fresh) await loadFaults();
        await loadClock();
      } catch (error) { notice(error.message, true); }
    }
    setTimeout(tick, POLL_MS);
  }

  $("world-name").value = state.world;
  $("world-form").addEventListener("submit", (event) => {
    event.preventDefault();
    if (!$("world-name").checkValidity()) { notice("A world name is 1–64 of A-Z a-z 0-9 . _ - (optionally ;seed=N).", true); return; }
    state.world = $("world-name").value.trim();
    sessionStorage.setItem("patientmsg-world", state.world);
    refreshAll().then(() => notice("Showing world " + worldName()));
  });
  $("reset").addEventListener("click", async () => {
    try {
      const result = await control("POST", "/reset", {});
      await refreshAll();
      notice(`World ${result.world} reset: scenario ${result.scenario}, seed ${result.seed}, now ${result.now}`);
    } catch (error) { notice(error.message, true); }
  });
  for (const button of document.querySelectorAll("[data-advance]")) {
    button.addEventListener("click", () => changeClock({ advance_seconds: Number(button.dataset.advance) }));
  }
  $("clock-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const value = $("clock-set").value.trim();
    if (value) changeClock({ now: value });
  });
  $("fault-type").addEventListener("change", showEffectFields);
  $("fault-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      const rule = await control("POST", "/faults", faultInput());
      await loadFaults();
      notice(`Added ${rule.id}`);
    } catch (error) { notice(error.message, true); }
  });
  $("faults-clear").addEventListener("click", async () => {
    try { const r = await control("DELETE", "/faults"); await loadFaults(); notice(`Removed ${r.cleared} rule(s)`); }
    catch (error) { notice(error.message, true); }
  });
  $("journal-clear").addEventListener("click", async () => {
    try { await control("DELETE", "/requests"); restartJournal(); notice("Journal cleared"); }
    catch (error) { notice(error.message, true); }
  });
  $("journal-recording").addEventListener("change", async (event) => {
    const recording = event.target.checked;
    try {
      await control("PATCH", "/requests", { recording });
      notice(recording ? "Journal recording" : "Journal paused: it keeps what it has");
      await pollJournal();
    } catch (error) { event.target.checked = !recording; notice(error.message, true); }
  });
  $("journal-api").addEventListener("change", () => { restartJournal(); pollJournal().catch((e) => notice(e.message, true)); });

  showEffectFields();
  refreshAll().then(() => setTimeout(tick, POLL_MS));
})();
