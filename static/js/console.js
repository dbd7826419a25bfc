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
    el.querySelectorAll("[data-count]").forEach((b) => {
      const v = c[b.dataset.count];
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
  socket.on("escalation", (msg) => window.hub.toast("⚠ " + (msg.platform || "") + " · " + (msg.phase || "")));
})();
