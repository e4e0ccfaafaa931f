// Loriaa inbox: send with Ctrl/Cmd+Enter, count SMS segments, keep the message list tidy as
// polls and sends add rows. Everything works without it (no live updates, a plain form post).
// No inline handlers (the CSP forbids them): behaviour hangs off data-* attributes.
(function () {
  "use strict";
  if (window.loriaaInboxScript) return;
  window.loriaaInboxScript = true;

  // --- Ctrl+Enter (Cmd+Enter on a Mac) sends the composer.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Enter" || !(event.ctrlKey || event.metaKey)) return;
    const box = event.target.closest && event.target.closest("[data-composer]");
    if (!box || !box.form || box.disabled) return;
    event.preventDefault();
    box.form.requestSubmit();
  });

  // --- SMS length: GSM-7 fits 160 characters in one segment (153 each when split); anything
  // else is sent as UCS-2 at 70 (67). Same rules as crm/inbox/sms.py.
  const GSM7 = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
  const GSM7_EXTENDED = "^{}\\[~]|€\f";

  function smsLength(text) {
    let units = 0;
    let gsm = true;
    for (const ch of text) {
      if (GSM7_EXTENDED.indexOf(ch) >= 0) units += 2;
      else if (GSM7.indexOf(ch) >= 0) units += 1;
      else { gsm = false; break; }
    }
    let single = 160, multi = 153;
    if (!gsm) { units = text.length; single = 70; multi = 67; }  // UTF-16 code units
    const segments = units === 0 ? 0 : units <= single ? 1 : Math.ceil(units / multi);
    return { characters: Array.from(text).length, segments: segments, unicode: !gsm };
  }

  document.addEventListener("input", function (event) {
    const box = event.target;
    if (!box.matches || !box.matches("[data-sms-counter]")) return;
    const output = document.getElementById(box.getAttribute("data-sms-counter"));
    if (!output) return;
    const length = smsLength(box.value);
    output.textContent = length.characters + " characters · " + length.segments + " segment" +
      (length.segments === 1 ? "" : "s") + (length.unicode ? " (Unicode)" : "");
  });

  // --- Message lists: a row can arrive twice (the send's answer and the next poll) or again with
  // a new status. Keep one row per message, in its first place, with the newest content.
  function dedupe(list) {
    const seen = {};
    Array.from(list.children).forEach(function (row) {
      if (!row.id) return;
      const first = seen[row.id];
      if (first) {
        first.replaceWith(row);
      }
      seen[row.id] = row;
    });
  }

  function nearBottom(list) {
    return list.scrollHeight - list.scrollTop - list.clientHeight < 120;
  }

  function scrollToEnd(list) { list.scrollTop = list.scrollHeight; }

  // Responses for a pane that has since been replaced (another thread opened) are dropped.
  document.body.addEventListener("htmx:beforeSwap", function (event) {
    const source = event.detail.requestConfig && event.detail.requestConfig.elt;
    if (source && source.id === "pane-poller" && !document.body.contains(source)) {
      event.detail.shouldSwap = false;
    }
  });

  let stick = true;
  document.body.addEventListener("htmx:beforeSwap", function () {
    const list = document.querySelector("#pane .messages");
    stick = !list || nearBottom(list);
  });

  document.body.addEventListener("htmx:afterSettle", function () {
    document.querySelectorAll("#pane .messages").forEach(function (list) {
      dedupe(list);
      if (stick) scrollToEnd(list);
    });
    markOpenThread();
    const box = document.querySelector("#composer [data-composer]");
    if (box && pendingFocus) { box.focus(); pendingFocus = false; }
  });

  // After sending, the fresh composer keeps the focus so the next reply can be typed at once.
  let pendingFocus = false;
  document.body.addEventListener("htmx:beforeRequest", function (event) {
    const elt = event.detail.elt;
    if (elt && elt.id === "composer" && document.activeElement && elt.contains(document.activeElement)) {
      pendingFocus = true;
    }
  });

  // --- The thread list highlights the open conversation (the list refreshes on its own).
  function markOpenThread() {
    const pane = document.querySelector("#pane [data-conversation]");
    const open = pane ? pane.getAttribute("data-conversation") : "";
    document.querySelectorAll("[data-thread]").forEach(function (link) {
      if (link.getAttribute("data-thread") === open) link.setAttribute("aria-current", "true");
      else link.removeAttribute("aria-current");
    });
  }

  // --- The simulator's text box empties after a successful simulated text.
  document.body.addEventListener("htmx:afterRequest", function (event) {
    const form = event.detail.elt;
    if (!form || !form.matches || !form.matches("form[data-reset-body]") || !event.detail.successful) return;
    const body = form.querySelector("[name=body]");
    if (body) body.value = "";
  });

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("#pane .messages").forEach(scrollToEnd);
  });
})();
