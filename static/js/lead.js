// Loriaa: guest cards, adding leads, tours and tasks. Everything works without it; this makes it quicker.
// No inline handlers (the CSP forbids them): behaviour hangs off data-* attributes.
(function () {
  "use strict";
  // Included by several templates (and possibly twice on one page): wire up once.
  if (window.loriaaLeadScript) return;
  window.loriaaLeadScript = true;

  // --- Dialogs filled by htmx: a link with hx-get targets the body of a <dialog data-htmx-dialog>.
  // The dialog opens once its content has arrived (so an error leaves no empty dialog behind);
  // without JavaScript the same link simply opens the form as a page.
  function dialogOf(element) {
    return element && element.closest ? element.closest("dialog[data-htmx-dialog]") : null;
  }

  // Focus what needs attention: the duplicate notice, else the first field with an error, else the first field.
  const NEEDS_ATTENTION = ".duplicate-notice a, .field-invalid :is(input, select, textarea)";
  const FIRST_FIELD = "input:not([type=hidden]), select, textarea, button, a[href]";

  document.body.addEventListener("htmx:afterSwap", function (event) {
    const swapped = event.target; // the new content (for outerHTML swaps the old target is gone)
    const dialog = dialogOf(swapped);
    if (!dialog) return;
    if (!dialog.open && typeof dialog.showModal === "function") dialog.showModal();
    // Move focus only when a whole form arrived (opened, or back with errors), not a small part of it.
    if (!swapped.matches("[data-dialog-body], [data-dialog-body] > *")) return;
    const field = dialog.querySelector(NEEDS_ATTENTION) || dialog.querySelector(FIRST_FIELD);
    if (field) field.focus();
  });

  // The server fires "dialog-close" when a dialog's form has done its job (a tour was booked).
  document.body.addEventListener("dialog-close", function (event) {
    const dialog = dialogOf(event.target);
    if (dialog && dialog.open) dialog.close();
  });

  document.addEventListener("click", function (event) {
    const closer = event.target.closest("[data-dialog-close]");
    if (!closer) return;
    const dialog = closer.closest("dialog");
    if (dialog) dialog.close();
  });

  // A closed dialog forgets its form, so the next opening starts fresh.
  document.addEventListener("close", function (event) {
    const dialog = event.target;
    if (!(dialog instanceof HTMLDialogElement) || !dialog.hasAttribute("data-htmx-dialog")) return;
    const body = dialog.querySelector("[data-dialog-body]");
    if (body) body.replaceChildren();
  }, true);

  // --- Tour slots: picking a free time fills the time field instead of reloading the page.
  document.addEventListener("click", function (event) {
    const slot = event.target.closest("[data-slot-time]");
    if (!slot) return;
    const form = slot.closest("form");
    const input = form && form.querySelector("[name=time]");
    if (!input) return;
    event.preventDefault();
    input.value = slot.getAttribute("data-slot-time");
    form.querySelectorAll("[data-slot-time]").forEach(function (other) {
      other.removeAttribute("aria-current");
      other.setAttribute("aria-pressed", String(other === slot));
    });
  });
})();
