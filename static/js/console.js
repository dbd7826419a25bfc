/* Live progress on the officer's pages: /console "progress" events move the bars and refresh the table. */
(function () {
  "use strict";
  if (typeof io === "undefined") return;
  const socket = io("/console", { transports: ["websocket", "polling"] });
  const wrap = document.getElementById("table-wrap");

  function pct(n, total) { return (total ? Math.max(0, n) / total * 100 : 0).toFixed(2) + "%"; }

  function render(el, c) {
    const t = c.total || 0;
    const widths = {
      implemented: c.implemented, in_progress: c.in_progress,
      acknowledged: c.acknowledged - c.implemented - c.in_progress,
      declined: c.declined, delivered: c.delivered - c.acknowledged - c.declined,
    };
    Object.entries(widths).forEach(([k, n]) => {
      const seg = el.querySelector(".seg." + k);
      if (seg) seg.style.width = pct(n, t);
    });
    const derived = Object.assign({}, c, { acknowledged_only: widths.acknowledged, delivered_only: widths.delivered });
    el.querySelectorAll("[data-count]").forEach((b) => {
      const v = derived[b.dataset.count];
      if (v !== undefined) b.textContent = v;
    });
  }

  const refreshTable = window.hub.debounce(() => {
    fetch(wrap.dataset.tableUrl + window.location.search, { credentials: "same-origin" })
      .then((r) => (r.ok ? r.text() : Promise.reject(r.status)))
      .then((html) => { wrap.innerHTML = html; window.hub.sizes(wrap); })
      .catch(() => {});
  }, 300);

  socket.on("progress", (msg) => {
    document.querySelectorAll('[data-progress="' + msg.directive_id + '"]').forEach((el) => render(el, msg.counts));
    if (wrap && String(msg.directive_id) === wrap.dataset.directive) refreshTable();
  });
  socket.on("published", (msg) => window.hub.toast((msg.ref_no || "") + " " + (msg.title || "")));
  socket.on("checkpoint", (msg) => {
    document.querySelectorAll("[data-checkpoint]").forEach((el) => {
      el.querySelectorAll("[data-cp]").forEach((span) => {
        const v = String(msg[span.dataset.cp] || "");
        span.textContent = span.dataset.cp === "signature" ? v.slice(0, 16) : v;
      });
    });
  });
  const words = (document.getElementById("console-script") || { dataset: {} }).dataset;

  function setWaiting(directiveId, n) {
    document.querySelectorAll('[data-unanswered="' + directiveId + '"]').forEach((el) => {
      el.hidden = !(n > 0);
      const count = el.querySelector("[data-unanswered-count]");
      if (count) count.textContent = n > 0 ? String(n) : "";
    });
  }

  function addQuestion(msg) {
    const list = document.getElementById("question-list");
    if (!list || !wrap || String(msg.directive_id) !== wrap.dataset.directive) return;
    if (list.querySelector('[data-question="' + msg.question_id + '"]')) return;
    const article = document.createElement("article");
    article.dataset.question = msg.question_id;
    article.className = "arrived";
    const who = document.createElement("p");
    who.appendChild(Object.assign(document.createElement("strong"), { textContent: msg.platform || "" }));
    const text = Object.assign(document.createElement("p"), { className: "prewrap", textContent: msg.text || "" });
    const reload = Object.assign(document.createElement("a"), { href: window.location.pathname + "#questions", textContent: words.answerLabel || "" });
    reload.addEventListener("click", (e) => { e.preventDefault(); window.location.reload(); });
    article.append(who, text, reload);
    const empty = list.querySelector(".empty");
    if (empty) empty.remove();
    list.insertBefore(article, list.firstChild);
  }

  socket.on("question", (msg) => {
    setWaiting(msg.directive_id, msg.unanswered);
    addQuestion(msg);
    const link = (words.directiveUrl || "").replace(/0$/, String(msg.directive_id)) + "#questions";
    window.hub.toast((words.questionLabel || "?") + " · " + (msg.ref_no || "") + " · " + (msg.platform || "") + ": " + (msg.text || "").slice(0, 140), link);
    window.hub.beep();
  });
  socket.on("question_answered", (msg) => setWaiting(msg.directive_id, msg.unanswered));
  socket.on("escalation", (msg) => window.hub.toast("⚠ " + (msg.platform || "") + " · " + (msg.phase || "")));
})();
