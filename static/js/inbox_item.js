/* One directive in the editor's inbox: the issuer's answers to this platform's questions appear without a reload. */
(function () {
  "use strict";
  const box = document.getElementById("my-questions");
  if (!box || typeof io === "undefined") return;
  const head = parseInt(box.dataset.head || "0", 10);  // this page needs no replay: only what comes live
  const socket = io("/platform", { auth: (cb) => cb({ since: head }), transports: ["websocket", "polling"] });

  socket.on("connect", () => { box.dataset.live = "1"; });
  socket.on("disconnect", () => { delete box.dataset.live; });
  socket.on("answer", (m) => {
    if (String(m.directive_id) !== box.dataset.directive) {
      window.hub.toast(box.dataset.toast + " " + (m.ref_no || m.title || ""));
      return;
    }
    const article = box.querySelector('[data-question="' + m.question_id + '"]');
    if (article) {
      const waiting = article.querySelector(".awaiting");
      if (waiting) waiting.remove();
      const p = document.createElement("p");
      p.className = "arrived";
      p.append(Object.assign(document.createElement("em"), { textContent: box.dataset.answerLabel + ":" }), " ",
        Object.assign(document.createElement("span"), { className: "prewrap", textContent: m.answer || "" }));
      article.appendChild(p);
    }
    window.hub.toast(box.dataset.toast + " " + (m.answer || "").slice(0, 140));
    window.hub.beep();
  });
})();
