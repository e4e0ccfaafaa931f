// Loriaa: the little JavaScript the pages need. Everything works without it; this makes it quicker.
// No inline handlers anywhere (the CSP forbids them): behaviour hangs off data-* attributes.
(function () {
  "use strict";

  // --- Toasts: server messages arrive as an HX-Trigger "toasts" event, or pre-rendered on full pages.
  function showToast(message, level) {
    const region = document.getElementById("toasts");
    const template = document.getElementById("toast-template");
    if (!region || !template) return;
    const toast = template.content.firstElementChild.cloneNode(true);
    toast.textContent = message;
    toast.classList.add("toast-" + (level || "info"));
    region.appendChild(toast);
    scheduleDismiss(toast);
  }

  function scheduleDismiss(toast) {
    const delay = toast.classList.contains("toast-error") ? 9000 : 5000;
    setTimeout(function () {
      toast.classList.add("leaving");
      setTimeout(function () { toast.remove(); }, 400);
    }, delay);
  }

  document.body.addEventListener("toasts", function (event) {
    (event.detail.value || []).forEach(function (t) { showToast(t.message, t.level); });
  });

  document.body.addEventListener("htmx:responseError", function (event) {
    const status = event.detail.xhr.status;
    const text = status === 403 ? "You don't have permission to do that."
      : status === 404 ? "That item no longer exists."
      : status === 429 ? "Too many requests. Wait a moment and try again."
      : "Something went wrong (" + status + "). Nothing was lost; please try again.";
    showToast(text, "error");
  });
  document.body.addEventListener("htmx:sendError", function () {
    showToast("Can't reach the server. Check your connection.", "error");
  });

  // Forms answered with 422 carry their own errors: swap them in like a success.
  document.body.addEventListener("htmx:beforeSwap", function (event) {
    if (event.detail.xhr.status === 422) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  // --- Selects that submit on change (with a visible button when JS is off).
  document.documentElement.classList.add("js-autosubmit");
  document.addEventListener("change", function (event) {
    const el = event.target.closest("[data-autosubmit]");
    if (el && el.form) el.form.requestSubmit();
  });

  // --- Copy buttons and select-on-focus fields.
  document.addEventListener("click", function (event) {
    const button = event.target.closest("[data-copy]");
    if (!button) return;
    const source = document.querySelector(button.getAttribute("data-copy"));
    if (!source) return;
    const text = source.value !== undefined ? source.value : source.textContent;
    navigator.clipboard.writeText(text).then(
      function () { showToast("Copied to the clipboard.", "success"); },
      function () { source.select && source.select(); showToast("Press Ctrl+C to copy.", "info"); }
    );
  });
  document.addEventListener("focusin", function (event) {
    if (event.target.matches("[data-select-on-focus]")) event.target.select();
  });

  // --- Mobile navigation.
  document.addEventListener("click", function (event) {
    const toggle = event.target.closest("[data-nav-toggle]");
    if (!toggle) return;
    const nav = document.getElementById(toggle.getAttribute("aria-controls"));
    const open = nav.classList.toggle("open");
    toggle.setAttribute("aria-expanded", String(open));
  });

  // --- Keyboard shortcuts: "g" then a letter follows a nav link's data-shortcut; "?" shows them all.
  let pendingG = false;
  let gTimer = null;
  function typingInField(target) {
    return target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName);
  }
  document.addEventListener("keydown", function (event) {
    if (event.metaKey || event.ctrlKey || event.altKey || typingInField(event.target)) return;
    const dialog = document.getElementById("shortcuts");
    if (event.key === "?") {
      if (dialog && !dialog.open) dialog.showModal();
      event.preventDefault();
      return;
    }
    if (pendingG) {
      pendingG = false;
      clearTimeout(gTimer);
      const link = document.querySelector('[data-shortcut="g ' + event.key.toLowerCase() + '"]');
      if (link) { event.preventDefault(); link.click(); }
      return;
    }
    if (event.key === "g") {
      pendingG = true;
      gTimer = setTimeout(function () { pendingG = false; }, 1200);
    }
  });
  document.addEventListener("click", function (event) {
    if (!event.target.closest("[data-shortcuts-open]")) return;
    const dialog = document.getElementById("shortcuts");
    if (dialog) dialog.showModal();
  });

  // Messages rendered with the page fade out like the ones that arrive later.
  document.querySelectorAll("#toasts .toast").forEach(scheduleDismiss);
})();
