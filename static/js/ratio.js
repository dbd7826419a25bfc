/* The content-ratio form: the ratio as the editor types, against the threshold line. */
(function () {
  "use strict";
  const form = document.getElementById("ratio-form");
  if (!form) return;
  const threshold = parseFloat(form.dataset.threshold);
  const published = form.querySelector('[name="items_published"]');
  const negative = form.querySelector('[name="negative_items"]');
  const value = document.getElementById("ratio-value");
  const bar = document.getElementById("ratio-bar");
  const verdict = document.getElementById("ratio-verdict");
  const meter = form.querySelector(".ratio-meter");

  const group = form.dataset.group || "";
  const lang = document.documentElement.lang;

  // A whole number as the page's language writes it ("1.200" in Vietnamese, "1,200" in English); NaN otherwise.
  function count(text) {
    const digits = text.trim().split(group).join("").replace(/\s/g, "");
    return /^\d+$/.test(digits) ? parseInt(digits, 10) : NaN;
  }

  function update() {
    const total = count(published.value);
    const bad = count(negative.value);
    if (!(total > 0) || !(bad >= 0)) { value.textContent = "—"; bar.style.width = "0"; verdict.textContent = ""; return; }
    const ratio = bad / total;
    value.textContent = (ratio * 100).toLocaleString(lang, { minimumFractionDigits: 1, maximumFractionDigits: 1 }) + " %";
    bar.style.width = Math.min(ratio * 2, 1) * 100 + "%";  // the meter spans 0-50 %
    const over = ratio >= threshold;
    meter.classList.toggle("over", over);
    verdict.textContent = over ? verdict.dataset.over : verdict.dataset.under;
  }
  published.addEventListener("input", update);
  negative.addEventListener("input", update);
  update();
})();
