(() => {
  "use strict";
  const KEY = "elevate-sandbox-token";
  const LIMIT = 100;
  const REFUSED = "The token was refused: paste another one or make a new one.";
  const state = { token: null, overview: null, scenarios: [], clock: null, customer: null, busy: false };
  const $ = (selector) => document.querySelector(selector);

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
      else if (name === "class") node.className = value;
      else node.setAttribute(name, value === true ? "" : String(value));
    }
    for (const child of children.flat()) {
      if (child === null || child === undefined || child === false) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  const gbp = new Intl.NumberFormat("en-GB", { style: "currency", currency: "GBP" });
  const money = (value) => (value === null || value === undefined ? "" : gbp.format(value));
  const signed = (value) => el("span", { class: value < 0 ? "neg" : value > 0 ? "pos" : "" }, money(value));

  const OK = /^(PAID|PAID_OUT|CONFIRMED|ACTIVE|EXECUTED|REFUND_SETTLED|MANUALLY_PAID|REFUNDED|CHARGEBACK_CANCELLED)$/;
  const BAD = new RegExp("(FAIL|CHARGED_BACK|CHARGEBACK_SETTLED|CANCELLED|BOUNCED|DENIED|EXPIRED|BLOCKED|RETURNED"
    + "|MISSING|UNSUPPORTED|UNAUTHORISED|WRITTEN_OFF|DISPUTED|INACTIVE|SUSPENDED)");
  const INFO = /^(PARTIALLY_PAID|PART_REFUNDED|PARTIALLY_REFUNDED|REFUND_PENDING|SCHEDULED|SUBMITTED|NA)$/;
  function tone(status) {
    if (OK.test(status)) return "ok";
    if (BAD.test(status)) return "bad";
    if (INFO.test(status)) return "info";
    return "warn";
  }
  function badge(status, info) {
    if (!status) return el("span", { class: "muted" }, "—");
    const cls = `badge ${tone(status)}${info ? " has-info" : ""}`;
    return el("span", { class: cls, "data-status": status, title: info || null }, status.replaceAll("_", " "));
  }

  async function api(method, path, body) {
    const headers = { Accept: "application/json" };
    if (state.token) headers.Authorization = `Bearer ${state.token}`;
    if (body !== undefined) headers["Content-Type"] = "application/json";
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const response = await fetch(path, { method, headers, body: payload });
    const text = await response.text();
    let data = null;
    try { data = text ? JSON.parse(text) : null; } catch (error) { data = text; }
    if (!response.ok) {
      const error = new Error((data && data.message) || `${response.status} ${response.statusText}`);
      error.status = response.status;
      throw error;
    }
    return data;
  }

  function toast(tone, message) {
    const box = $("#toast");
    box.replaceChildren(message);
    box.className = `toast ${tone}`;
    box.hidden = false;
  }

  async function act(button, work) {
    if (state.busy) return;
    state.busy = true;
    if (button) button.disabled = true;
    try {
      const message = await work();
      if (message) toast("ok", message);
      await refresh();
    } catch (error) {
      toast("bad", error.message);
      if (error.status === 401) showTokenPanel(REFUSED);
    } finally {
      state.busy = false;
      if (button) button.disabled = false;
    }
  }

  // --- token ----------------------------------------------------------------------------------------------

  function setToken(token) {
    state.token = token || null;
    if (state.token) localStorage.setItem(KEY, state.token);
    else localStorage.removeItem(KEY);
  }

  function showTokenPanel(hint) {
    $("#token-panel").hidden = false;
    $("#token-hint").textContent = hint || "";
  }

  function describeChanges(data) {
    const changes = (data && (data.changes || data.changed)) || [];
    if (!Array.isArray(changes) || !changes.length) return "";
    const shown = changes.slice(0, 4).map((c) => `${c.resource || ""} ${c.id ?? ""}: ${c.from} → ${c.to}`);
    return ` (${shown.join("; ")}${changes.length > 4 ? `; ${changes.length - 4} more` : ""})`;
  }

  // --- simulators and clock ------------------------------------------------------------------------------

  const STATUS_OF = {
    invoicePayments: (row) => row.thirdPartyPaymentStatus,
    refunds: (row) => row.thirdPartyRefundStatus,
    mandates: (row) => row.status,
    outboundPayments: (row) => row.thirdPartyOutboundPaymentStatus,
  };
  const PREFIX = /^(payment|mandate|refund|outbound)_/;
  const STATUS_FIELDS = [
    "thirdPartyPaymentStatus", "thirdPartyRefundStatus", "thirdPartyOutboundPaymentStatus", "status"];

  function simulateButtons(kind, row) {
    const status = STATUS_OF[kind](row);
    const fits = state.scenarios.filter((s) => s.resource === kind && (s.preconditions || []).includes(status));
    if (!fits.length) return el("span", { class: "muted" }, "—");
    return el("div", { class: "sim" }, fits.map((scenario) => el("button", {
      type: "button",
      title: scenario.description || scenario.scenario,
      "data-scenario": scenario.scenario,
      onclick: (event) => act(event.currentTarget, async () => {
        const body = { scenario: scenario.scenario };
        for (const name of scenario.identifiedBy || ["resourceId"]) {
          body[name] = name === "resourceId" ? row.id : row[name];
        }
        const data = await api("POST", "simulations", body);
        const now = data && STATUS_FIELDS.map((name) => data[name]).find(Boolean);
        const which = `${kind} ${row.id ?? row.mandateReference}`;
        return `Simulated ${scenario.scenario} on ${which}${now ? `: now ${now}` : ""}`;
      }),
    }, scenario.scenario.replace(PREFIX, "").replaceAll("_", " "))));
  }

  async function loadScenarios() {
    try {
      const data = await api("GET", "simulations");
      state.scenarios = Array.isArray(data) ? data : (data && data.scenarios) || [];
    } catch (error) {
      state.scenarios = [];
    }
  }

  async function loadClock() {
    try { state.clock = await api("GET", "clock"); } catch (error) { state.clock = null; }
  }

  function advanceClock(button, duration, label) {
    act(button, async () => {
      const data = await api("POST", "clock", { advanceBy: duration });
      return `Clock advanced by ${label.replace("+", "")}${describeChanges(data)}`;
    });
  }

  function toggleFreeze(button) {
    act(button, async () => {
      const data = await api("POST", "clock", { freeze: !(state.clock && state.clock.frozen) });
      return data.frozen ? "Clock frozen" : "Clock running";
    });
  }

  // --- tables ---------------------------------------------------------------------------------------------

  const hosted = (page, key, pageKey) =>
    `hosted/${page}/${encodeURIComponent(key)}?tenant=${encodeURIComponent(state.overview.tenant)}` +
    `&key=${encodeURIComponent(pageKey)}`;
  const link = (href, text, name) =>
    el("a", { class: "act", href, target: "_blank", rel: "noopener", "data-link": name }, text);
  const flowOpen = (r) => r.status === "NEW" || r.status === "CREATED";
  const linkTarget = (r) =>
    r.invoiceId ? `Invoice ${r.invoiceId}` : r.adhocInvoiceId ? `Adhoc invoice ${r.adhocInvoiceId}` : "Balance";
  const customerCell = (row) => el("span", {}, row.customerName || `#${row.customerId}`);

  const TABLES = [
    { key: "customers", title: "Customers", count: "customers", columns: [
      ["ID", (r) => r.id, "num"], ["Name", (r) => r.name, "text"], ["Account", (r) => r.accountNumber],
      ["Balance", (r) => signed(r.balance), "num"], ["Credit limit", (r) => money(r.creditThreshold), "num"],
    ] },
    { key: "paymentLinks", title: "Payment links", count: "paymentLinks", columns: [
      ["ID", (r) => r.id, "num"], ["For", linkTarget], ["Customer", customerCell, "text"],
      ["Amount", (r) => money(r.amountInMajorCurrency), "num"], ["Paid", (r) => badge(r.paid ? "PAID" : "UNPAID")],
      ["Page", (r) => link(hosted("pay", r.token, r.pageKey), r.paid ? "View" : "Pay", "pay")],
    ] },
    { key: "invoices", title: "Invoices", count: "invoices", wide: true, columns: [
      ["ID", (r) => r.id, "num"], ["Number", (r) => r.invoiceNumber], ["Type", (r) => r.billRunType],
      ["Customer", customerCell, "text"], ["Date", (r) => r.invoiceDate], ["Due", (r) => r.dueDate],
      ["Amount", (r) => money(r.amountInMajorCurrency), "num"],
      ["Collected", (r) => money(r.collectedAmountInMajorCurrency), "num"],
      ["Refunded", (r) => money(r.refundedAmountInMajorCurrency), "num"],
      ["Outstanding", (r) => money(r.outstandingAmountInMajorCurrency), "num"],
      ["Status", (r) => badge(r.paymentStatus)],
    ] },
    { key: "payments", title: "Invoice and adhoc invoice payments", count: "payments", wide: true,
      kind: "invoicePayments", columns: [
      ["ID", (r) => r.id, "num"], ["Invoice", (r) => r.invoiceNumber], ["Customer", customerCell, "text"],
      ["Method", (r) => r.paymentMethod], ["Date", (r) => r.paymentDate],
      ["Amount", (r) => money(r.amountInMajorCurrency), "num"],
      ["Status", (r) => badge(r.thirdPartyPaymentStatus, r.errorInfo)],
    ] },
    { key: "mandates", title: "Mandates", count: "mandates", wide: true, kind: "mandates", columns: [
      ["Reference", (r) => el("code", {}, r.mandateReference)], ["Method", (r) => r.paymentMethod],
      ["Customer", customerCell, "text"], ["Site", (r) => r.siteName, "text"], ["Status", (r) => badge(r.status)],
      ["Page", (r) => flowOpen(r) ? link(hosted("mandates", r.flowToken, r.pageKey), "Open flow", "mandate") : ""],
    ] },
    { key: "refunds", title: "Refunds", count: "refunds", wide: true, kind: "refunds", columns: [
      ["ID", (r) => r.id, "num"], ["Invoice", (r) => r.invoiceId, "num"], ["Customer", customerCell, "text"],
      ["Method", (r) => r.paymentMethod], ["Amount", (r) => money(r.amountInMajorCurrency), "num"],
      ["Status", (r) => badge(r.thirdPartyRefundStatus, r.errorInfo)], ["Description", (r) => r.description, "text"],
    ] },
    { key: "outboundPayments", title: "Outbound payments", count: "outboundPayments", wide: true,
      kind: "outboundPayments", columns: [
      ["ID", (r) => r.id, "num"], ["Customer", customerCell, "text"], ["Reference", (r) => r.reference],
      ["Execution", (r) => r.executionDate || "ASAP"], ["Amount", (r) => money(r.amountInMajorCurrency), "num"],
      ["Credit", (r) => (r.useCustomerCreditBalance ? "yes" : "no")],
      ["Status", (r) => badge(r.thirdPartyOutboundPaymentStatus)],
      ["Page", (r) => r.thirdPartyOutboundPaymentStatus === "PENDING_APPROVAL"
        ? link(hosted("outbound-approvals", r.id, r.pageKey), "Approve", "approval") : ""],
    ] },
    { key: "customerPayments", title: "Customer payments", count: "customerPayments", columns: [
      ["ID", (r) => r.id, "num"], ["Customer", customerCell, "text"], ["Type", (r) => r.type],
      ["Date", (r) => r.paymentDate], ["Amount", (r) => money(r.amountInMajorCurrency), "num"],
      ["Balance after", (r) => signed(r.resultingCustomerBalance), "num"],
    ] },
  ];

  function visible(table, rows) {
    if (state.customer === null) return rows;
    if (table.key === "customers") return rows;
    return rows.filter((row) => row.customerId === state.customer);
  }

  function renderTable(table) {
    const rows = visible(table, state.overview[table.key] || []);
    const total = state.overview.counts[table.count];
    const columns = [...table.columns];
    if (table.kind) {
      // The simulators sit right after the status they depend on.
      const after = columns.findIndex(([title]) => title === "Status") + 1 || columns.length;
      columns.splice(after, 0, ["Simulate", (r) => simulateButtons(table.kind, r)]);
    }
    const shown = rows.length < total ? `${rows.length} of ${total}` : `${total}`;
    const body = rows.map((row) => {
      const selectable = table.key === "customers";
      return el("tr", {
        class: selectable ? (row.id === state.customer ? "clickable selected" : "clickable") : null,
        "data-id": row.id ?? row.mandateReference,
        onclick: selectable ? () => { state.customer = state.customer === row.id ? null : row.id; render(); } : null,
      }, columns.map(([, cell, cls]) => el("td", { class: cls || null }, cell(row))));
    });
    return el("section", { id: table.key, class: table.wide ? "wide" : null },
      el("h2", {}, table.title, el("small", {}, shown)),
      rows.length
        ? el("div", { class: "scroll" }, el("table", {},
            el("thead", {}, el("tr", {}, columns.map(([title, , cls]) =>
              el("th", { class: cls === "num" ? "num" : null }, title)))),
            el("tbody", {}, body)))
        : el("p", { class: "empty" }, "Nothing yet."));
  }

  function card(label, value, sub) {
    return el("div", { class: "card" }, el("div", { class: "k" }, label), el("div", { class: "v" }, value),
      sub ? el("div", { class: "s" }, sub) : null);
  }

  function renderCards() {
    const o = state.overview;
    const t = o.totals || {};
    return el("div", { class: "cards" },
      card("Customers", o.counts.customers, `${o.counts.providers} payment providers`),
      card("Owed by customers", money(t.owed), "sum of debit balances"),
      card("Customer credit", money(t.credit), "sum of credit balances"),
      card("Invoices", o.counts.invoices, `${money(t.outstanding)} outstanding`),
      card("Payments", o.counts.payments, `${o.counts.customerPayments} customer payments`),
      card("Refunds", o.counts.refunds, ""),
      card("Outbound payments", o.counts.outboundPayments, `${o.counts.mandates} mandates`));
  }

  function render() {
    const o = state.overview;
    $("#tenant").textContent = o ? o.tenant : "—";
    $("#now").textContent = o ? o.now.replace("T", " ").replace("Z", " UTC") : "—";
    const frozen = state.clock ? Boolean(state.clock.frozen) : null;
    $("#clock-mode").textContent = frozen === null ? "" : frozen ? "(frozen)" : "(running)";
    $("#freeze").textContent = frozen ? "Unfreeze" : "Freeze";
    $("#clock-controls").hidden = !o || state.clock === null;
    const content = $("#content");
    if (!o) { content.replaceChildren(); return; }
    const selected = state.customer !== null ? o.customers.find((c) => c.id === state.customer) : null;
    content.replaceChildren(
      renderCards(),
      selected ? el("div", { class: "filter" }, `Customer: ${selected.name}`,
        el("button", { type: "button", onclick: () => { state.customer = null; render(); } }, "× show all")) : "",
      el("div", { class: "grid" }, TABLES.map(renderTable)));
    $("#sim-note").hidden = state.scenarios.length > 0;
  }

  async function refresh() {
    if (!state.token) {
      state.overview = null;
      render();
      showTokenPanel("Paste a bearer token, or make a new one.");
      return;
    }
    try {
      const [overview] = await Promise.all([api("GET", `overview?limit=${LIMIT}`), loadClock()]);
      state.overview = overview;
      if (!state.scenarios.length) await loadScenarios();
      $("#token-panel").hidden = true;
    } catch (error) {
      state.overview = null;
      showTokenPanel(error.status === 401 ? REFUSED : error.message);
    }
    render();
  }

  // --- wiring ---------------------------------------------------------------------------------------------

  function start() {
    const params = new URLSearchParams(location.search);
    if (params.has("token")) {
      setToken(params.get("token"));
      params.delete("token");
      const rest = params.toString();
      history.replaceState(null, "", location.pathname + (rest ? `?${rest}` : "") + location.hash);
    } else {
      setToken(localStorage.getItem(KEY));
    }
    $("#token-panel").addEventListener("submit", (event) => {
      event.preventDefault();
      setToken($("#token-input").value.trim());
      $("#token-input").value = "";
      act(null, async () => "Token saved");
    });
    $("#new-token").addEventListener("click", (event) => act(event.currentTarget, async () => {
      const tenant = $("#tenant-input").value.trim() || "default";
      const data = await api("POST", "tokens", { tenant });
      setToken(data.token);
      return `New token for tenant ${data.tenant} (expires ${data.expiresAt})`;
    }));
    $("#change-token").addEventListener("click", () => showTokenPanel("Paste another token, or make a new one."));
    $("#refresh").addEventListener("click", (event) => act(event.currentTarget, async () => ""));
    $("#reset").addEventListener("click", (event) => act(event.currentTarget, async () => {
      const data = await api("POST", "reset", {});
      state.customer = null;
      return `Tenant ${data.tenant} reset: seed ${data.seed}, dataset ${data.dataset}`;
    }));
    $("#freeze").addEventListener("click", (event) => toggleFreeze(event.currentTarget));
    for (const button of document.querySelectorAll("[data-advance]")) {
      button.addEventListener("click", () => advanceClock(button, button.dataset.advance, button.textContent));
    }
    document.addEventListener("visibilitychange", () => {
      if (!document.hidden && state.token && !state.busy) refresh();
    });
    refresh();
  }

  start();
})();
