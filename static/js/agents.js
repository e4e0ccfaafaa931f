// Loriaa agents: the chat composer (Enter sends, Shift+Enter starts a new line), a message list
// that stays scrolled to the newest answer, and a clear message when an answer cannot arrive.
// Everything works without it: the composer is a plain form post.
// No inline handlers (the CSP forbids them): behaviour hangs off data-* attributes.
(function () {
  "use strict";
  if (window.loriaaAgentsScript) return;
  window.loriaaAgentsScript = true;

  function scrollToEnd() {
    const list = document.getElementById("chat-log");
    if (list) list.scrollTop = list.scrollHeight;
  }

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Enter" || event.isComposing) return;
    const target = event.target;
    if (!target.matches) return;
    // The lead search filters as you type; Enter would submit its no-JS form and leave the page.
    if (target.matches("[data-lead-search]")) {
      event.preventDefault();
      return;
    }
    if (!target.matches("[data-chat-input]") || event.shiftKey || event.altKey) return;
    event.preventDefault();
    if (target.value.trim() && target.form) target.form.requestSubmit();
  });

  // After a send: empty the box for the next message and drop the "no messages yet" line.
  document.body.addEventListener("htmx:afterRequest", function (event) {
    const form = event.detail.elt;
    if (!form || form.id !== "composer" || !event.detail.successful) return;
    const box = form.querySelector("[data-chat-input]");
    if (box) {
      box.value = "";
      box.focus();
    }
    document.querySelectorAll("[data-chat-empty]").forEach(function (line) { line.remove(); });
  });

  document.body.addEventListener("htmx:afterSettle", scrollToEnd);

  // A placeholder whose answer failed says so instead of "thinking" forever.
  function answerFailed(event) {
    const elt = event.detail.elt;
    const item = elt && elt.closest ? elt.closest("[data-thinking]") : null;
    if (!item) return;
    item.removeAttribute("data-thinking");
    item.classList.add("chat-failed");
    const bubble = item.querySelector("[aria-busy]");
    if (bubble) bubble.removeAttribute("aria-busy");
    const text = item.querySelector("[data-thinking-text]");
    if (text) text.textContent = "No answer arrived, and nothing was saved. Please send your message again.";
  }
  document.body.addEventListener("htmx:responseError", answerFailed);
  document.body.addEventListener("htmx:sendError", answerFailed);

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", scrollToEnd);
  else scrollToEnd();
})();
