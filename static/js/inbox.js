/* The editor's inbox, live: directives arrive over /platform (session cookie), with a toast, a beep and a badge. */
(function () {
  "use strict";
  const rows = document.getElementById("inbox-rows");
  if (!rows || typeof io === "undefined") return;
  let head = parseInt(rows.dataset.head || "0", 10);
  const priorities = JSON.parse(rows.dataset.priorities || "{}");
  const kinds = JSON.parse(rows.dataset.kinds || "{}");
  const status = document.getElementById("live-status");
  const socket = io("/platform", { auth: (cb) => cb({ since: head }), transports: ["websocket", "polling"] });

  function bumpUnread(delta) {
    ["unread-count", "unread-badge"].forEach((id) => {
      const el = document.getElementById(id);
      if (!el) return;
      const n = (parseInt(el.textContent, 10) || 0) + delta;
      el.textContent = n > 0 ? String(n) : (id === "unread-count" ? "0" : "");
    });
  }

  function addRow(d) {
    const link = rows.dataset.url.replace(/\/$/, "") + "/" + d.id;
    const tr = document.createElement("tr");
    tr.dataset.directiveId = d.id;
    tr.className = "unread arrived";
    const cells = [
      () => { const a = document.createElement("a"); a.href = link; a.textContent = d.title; return [a, document.createElement("br"), Object.assign(document.createElement("small"), { textContent: d.ref_no || "" })]; },
      () => [document.createTextNode(kinds[d.kind] || d.kind)],
      () => [document.createTextNode(priorities[d.priority] || d.priority)],
      () => [Object.assign(document.createElement("mark"), { className: "new", textContent: rows.dataset.newLabel })],
      () => [document.createTextNode(window.hub.localTime(d.published_at || Date.now()))],
    ];
    const labels = Array.from(rows.closest("table").querySelectorAll("thead th"), (th) => th.textContent);
    cells.forEach((make, i) => {
      const td = document.createElement("td");
      if (i > 0) td.dataset.label = labels[i] || "";
      make().forEach((n) => td.appendChild(n));
      tr.appendChild(td);
    });
    const empty = rows.querySelector("tr.empty");
    if (empty) empty.remove();
    rows.insertBefore(tr, rows.firstChild);
    return link;
  }

  socket.on("connect", () => { if (status) status.textContent = "● " + status.dataset.online; });
  socket.on("disconnect", () => { if (status) status.textContent = status.dataset.offline; });
  socket.on("directive", (d) => {
    if (typeof d.seq === "number") head = Math.max(head, d.seq);
    socket.emit("receipt", { directive_id: d.id }, (answer) => {
      if (answer && typeof answer.seq === "number") head = Math.max(head, answer.seq);
    });
    if (rows.querySelector('tr[data-directive-id="' + d.id + '"]')) return;
    const link = addRow(d);
    bumpUnread(1);
    window.hub.toast(rows.dataset.toast + " " + d.title, link);
    window.hub.beep();
  });
  socket.on("head", (h) => {
    if (h && h.seq > head) socket.emit("sync", { since: head }, () => {});
  });
  socket.on("revoked", (m) => window.hub.toast(rows.dataset.revoked + " " + (m.ref_no || "") + " " + (m.reason || "")));
  socket.on("reminder", (m) => { window.hub.toast(rows.dataset.reminder + " " + (m.title || m.ref_no || "")); window.hub.beep(); });
  socket.on("answer", () => window.hub.toast(rows.dataset.answer));
})();
