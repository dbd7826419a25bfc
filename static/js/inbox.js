/* The editor's inbox, live: directives arrive over /platform (session cookie), with a toast, a beep, a badge, the
   count in the tab's title and, when the editor allowed them and looks elsewhere, a system notification (notify.js). */
(function () {
  "use strict";
  const rows = document.getElementById("inbox-rows");
  if (!rows || typeof io === "undefined") return;
  let head = parseInt(rows.dataset.head || "0", 10);
  const priorities = JSON.parse(rows.dataset.priorities || "{}");
  const kinds = JSON.parse(rows.dataset.kinds || "{}");
  const status = document.getElementById("live-status");
  const notify = window.hubNotify || { show() {}, title() {} };
  const socket = io("/platform", { auth: (cb) => cb({ since: head }), transports: ["websocket", "polling"] });

  function unread() {
    const el = document.getElementById("unread-count");
    return el ? parseInt(el.textContent, 10) || 0 : 0;
  }

  function bumpUnread(delta) {
    const n = Math.max(0, unread() + delta);
    ["unread-count", "unread-badge"].forEach((id) => {
      const el = document.getElementById(id);
      if (el) el.textContent = n > 0 ? String(n) : (id === "unread-count" ? "0" : "");
    });
    notify.title(n);
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
      () => d.ack_due_at ? [document.createTextNode(window.hub.localTime(d.ack_due_at) + " "), Object.assign(document.createElement("small"), { textContent: rows.dataset.toAcknowledge })] : [document.createTextNode("—")],
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

  notify.title(unread());
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
    notify.show(rows.dataset.toast + " " + d.title, [d.ref_no, priorities[d.priority]].filter(Boolean).join(" · "),
      "directive-" + d.id, link);
  });
  socket.on("head", (h) => {
    if (h && h.seq > head) socket.emit("sync", { since: head }, () => {});
  });
  socket.on("revoked", (m) => window.hub.toast(rows.dataset.revoked + " " + (m.ref_no || "") + " " + (m.reason || "")));
  socket.on("reminder", (m) => {
    const link = rows.dataset.url.replace(/\/$/, "") + "/" + m.directive_id;
    window.hub.toast(rows.dataset.reminder + " " + (m.title || m.ref_no || ""), link);
    window.hub.beep();
    const due = m.phase === "implement" ? rows.dataset.dueImplement : rows.dataset.dueAcknowledge;
    notify.show(rows.dataset.reminder + " " + (m.title || m.ref_no || ""), [m.ref_no, due].filter(Boolean).join(" · "),
      "reminder-" + m.directive_id + "-" + m.reminders_sent, link);
  });
  socket.on("answer", (m) => {
    const link = rows.dataset.url.replace(/\/$/, "") + "/" + m.directive_id + "#questions";
    window.hub.toast(rows.dataset.answer + " " + (m.ref_no || m.title || ""), link);
    window.hub.beep();
  });
})();
