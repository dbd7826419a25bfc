/* The composer: live Markdown preview and the "N platforms match" count of the audience picker. */
(function () {
  "use strict";
  const form = document.getElementById("composer");
  if (!form) return;
  const preview = document.getElementById("preview");
  const counter = document.getElementById("audience-count");
  const body = form.querySelector('[name="body"]');
  const countText = counter.textContent;

  const renderPreview = window.hub.debounce(() => {
    const data = new FormData();
    data.append("body", body.value);
    fetch(form.dataset.previewUrl, { method: "POST", body: data, headers: { "X-CSRFToken": window.hub.csrf }, credentials: "same-origin" })
      .then((r) => (r.ok ? r.json() : Promise.reject(r.status)))
      .then((j) => { preview.innerHTML = j.html; })
      .catch(() => {});
  }, 350);

  const updateCount = window.hub.debounce(() => {
    const params = new URLSearchParams();
    const all = form.querySelector('[name="audience_all"]');
    if (all && all.checked) params.append("all", "1");
    ["provinces", "platform_kinds"].forEach((name) => {
      form.querySelectorAll('[name="' + name + '"]:checked').forEach((box) => params.append(name, box.value));
    });
    params.append("platforms", form.querySelector('[name="platforms"]').value);
    fetch(form.dataset.countUrl + "?" + params.toString(), { credentials: "same-origin" })
      .then((r) => r.json())
      .then((j) => {
        let text = (form.dataset.countTemplate || "{n}").replace("{n}", j.count);
        if (j.message) text = j.message;
        else if (j.unknown && j.unknown.length) text += " · ? " + j.unknown.join(", ");
        counter.textContent = text;
        counter.dataset.count = j.count;
      })
      .catch(() => { counter.textContent = countText; });
  }, 250);

  body.addEventListener("input", renderPreview);
  document.getElementById("audience").addEventListener("input", updateCount);
  document.getElementById("audience").addEventListener("change", updateCount);
  if (body.value) renderPreview();
  updateCount();
})();
