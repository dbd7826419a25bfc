/* System notifications for the editor's inbox (the Notification API), and the unread count in the tab's title.
   An editor turns them on with the control on the inbox page (the browser then asks for permission); the choice is
   kept in this browser (localStorage). A notification is shown only while the inbox is not in front of the editor
   (a background tab or an unfocused window): in front, the toast and the new row say it already. */
(function () {
  "use strict";
  const KEY = "hub.notifications";
  const control = document.getElementById("notify-control");
  const button = document.getElementById("notify-toggle");
  const state = document.getElementById("notify-state");
  const baseTitle = document.title;
  const supported = typeof window.Notification === "function";

  function wanted() {
    try { return window.localStorage.getItem(KEY) === "on"; } catch (e) { return false; }
  }

  function remember(on) {
    try { window.localStorage.setItem(KEY, on ? "on" : "off"); } catch (e) { /* private mode: for this page only */ }
  }

  function enabled() {
    return supported && Notification.permission === "granted" && wanted();
  }

  function render() {
    if (!control) return;
    const d = control.dataset;
    if (!supported) {
      state.textContent = d.unsupported;
      button.hidden = true;
      return;
    }
    const blocked = Notification.permission === "denied";
    button.hidden = blocked;
    button.textContent = enabled() ? d.stop : d.allow;
    button.setAttribute("aria-pressed", enabled() ? "true" : "false");
    state.textContent = blocked ? d.blocked : enabled() ? d.on : d.off;
  }

  async function toggle() {
    if (enabled()) {
      remember(false);
    } else {
      remember(true);
      if (Notification.permission !== "granted") {
        try { await Notification.requestPermission(); } catch (e) { /* an old browser without the promise form */ }
      }
    }
    render();
  }

  function away() {
    return document.visibilityState === "hidden" || !document.hasFocus();
  }

  /* Show a system notification (when allowed and the inbox is not in front); a click brings the tab forward and
     opens ``link``. The tag makes a repeat of the same item replace, not stack. */
  function show(title, body, tag, link) {
    if (!enabled() || !away()) return null;
    const note = new Notification(title, { body: body, tag: tag, lang: document.documentElement.lang });
    note.onclick = () => {
      window.focus();
      if (link) window.location.href = link;
      note.close();
    };
    return note;
  }

  /* The tab's title with the unread count in front, as mail clients do: "(3) Inbox · Directive Hub". */
  function title(unread) {
    document.title = unread > 0 ? "(" + unread + ") " + baseTitle : baseTitle;
  }

  if (button) button.addEventListener("click", toggle);
  render();
  window.hubNotify = { show: show, title: title };
})();
