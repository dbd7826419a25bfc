/* Shared helpers: CSRF header, toasts, a short audible cue, and sizes given as data (the CSP forbids inline styles). */
(function () {
  "use strict";
  const meta = document.querySelector('meta[name="csrf-token"]');
  let audio = null;

  window.hub = {
    csrf: meta ? meta.content : "",
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
