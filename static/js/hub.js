/* Shared helpers: CSRF header, toasts, a short audible cue, and sizes given as data (the CSP forbids inline styles). */
(function () {
  "use strict";
  const meta = document.querySelector('meta[name="csrf-token"]');
  let audio = null;

  const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

  window.hub = {
    csrf: meta ? meta.content : "",
    /* A time as the pages print it (hub/web/pages/base.py TIME_PATTERNS): Vietnam time, day before month, 24 h. */
    localTime(value) {
      const format = new Intl.DateTimeFormat("en-GB", { timeZone: "Asia/Ho_Chi_Minh", day: "2-digit", month: "2-digit",
        year: "numeric", hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
      const p = Object.fromEntries(format.formatToParts(new Date(value)).map((part) => [part.type, part.value]));
      if (document.documentElement.lang === "vi") return `${p.day}/${p.month}/${p.year} ${p.hour}:${p.minute}`;
      return `${Number(p.day)} ${MONTHS[Number(p.month) - 1]} ${p.year}, ${p.hour}:${p.minute}`;
    },
    toast(text, href) {
      const box = document.getElementById("toasts");
      if (!box) return;
      const item = document.createElement("div");
      item.className = "toast";
      item.setAttribute("role", "status");
      if (href) {
        const link = document.createElement("a");
        link.href = href;
        link.textContent = text;
        item.appendChild(link);
      } else {
        item.textContent = text;
      }
      box.appendChild(item);
      setTimeout(() => item.remove(), 8000);
    },
    beep() {
      try {
        audio = audio || new (window.AudioContext || window.webkitAudioContext)();
        if (audio.state === "suspended") audio.resume();
        const osc = audio.createOscillator();
        const gain = audio.createGain();
        osc.frequency.value = 880;
        gain.gain.setValueAtTime(0.15, audio.currentTime);
        gain.gain.exponentialRampToValueAtTime(0.001, audio.currentTime + 0.25);
        osc.connect(gain).connect(audio.destination);
        osc.start();
        osc.stop(audio.currentTime + 0.25);
      } catch (e) { /* no audio device: the visible cue remains */ }
    },
    sizes(root) {
      root.querySelectorAll("[data-width]").forEach((el) => { el.style.width = el.dataset.width + "%"; });
      root.querySelectorAll("[data-left]").forEach((el) => { el.style.left = el.dataset.left + "%"; });
    },
    debounce(fn, ms) {
      let timer = null;
      return (...args) => { clearTimeout(timer); timer = setTimeout(() => fn(...args), ms); };
    },
  };
  window.hub.sizes(document);
  document.querySelectorAll("[data-print]").forEach((b) => b.addEventListener("click", () => window.print()));
})();
