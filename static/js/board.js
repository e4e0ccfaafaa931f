// The Kanban board (templates/leads/board.html). Without JavaScript each card's stage select and
// "Move" button do the job; this adds drag and drop on top of the same form.
//
// - A drop sets the card's stage select and submits its form: one htmx POST, the same request
//   as the keyboard path. The server answers with the card and fresh column counts (out of band).
// - After any swap a card is put in the column of its stage: that moves a card whose stage was
//   changed with the select, and puts a refused drop (422) back where it came from.
// - On other errors (403, 404, network) the card goes back too; app.js shows the toast.
(function () {
  "use strict";

  // Where each dragged card came from, by card id, until the server has answered.
  const origins = new Map();

  function listFor(stage) {
    return document.querySelector('.board-cards[data-stage="' + stage + '"]');
  }

  function stageSelect(card) {
    return card.querySelector('select[name="stage"]');
  }

  function firstCard(list) {
    return list.querySelector(":scope > .card");
  }

  function placeBefore(list, node, before) {
    const keepFocus = node.contains(document.activeElement) ? document.activeElement : null;
    list.insertBefore(node, before && before.parentNode === list ? before : list.querySelector(":scope > .board-more"));
    if (keepFocus) keepFocus.focus({ preventScroll: false });
  }

  // Put a (new or refused) card in the column of its stage.
  function reconcile(card) {
    const origin = origins.get(card.id);
    origins.delete(card.id);
    const list = card.parentElement;
    const stage = card.dataset.stage;
    if (list && list.dataset.stage === stage) return;
    if (origin && origin.list.dataset.stage === stage && origin.list.isConnected) {
      placeBefore(origin.list, card, origin.next);
      return;
    }
    const target = listFor(stage);
    if (target) placeBefore(target, card, firstCard(target));
    else card.remove(); // its column is not on this page (the one-column view)
  }

  function putBack(card) {
    const origin = origins.get(card.id);
    origins.delete(card.id);
    const select = stageSelect(card);
    if (select) select.value = card.dataset.stage;
    if (origin && origin.list.isConnected) placeBefore(origin.list, card, origin.next);
  }

  function onRequestFailed(event) {
    const elt = event.detail.elt;
    const card = elt && elt.closest ? elt.closest(".card") : null;
    if (card) putBack(card);
  }
  document.body.addEventListener("htmx:responseError", onRequestFailed);
  document.body.addEventListener("htmx:sendError", onRequestFailed);

  function makeSortable(list) {
    if (list.dataset.sortable === "on" || typeof Sortable === "undefined") return;
    if (!list.closest("[data-can-move]")) return;
    list.dataset.sortable = "on";
    Sortable.create(list, {
      group: "board",
      sort: false, // a column's order is the server's (latest move first)
      draggable: ".card",
      // Links, the stage select and its button keep working inside a draggable card.
      filter: "a, select, button, input, label",
      preventOnFilter: false,
      forceFallback: true, // mouse-driven drags (and Playwright's) are reliable with the fallback
      fallbackOnBody: true,
      fallbackTolerance: 4,
      ghostClass: "card-ghost",
      chosenClass: "card-chosen",
      dragClass: "card-drag",
      onStart: function (event) {
        origins.set(event.item.id, { list: event.from, next: event.item.nextElementSibling });
      },
      onEnd: function (event) {
        const card = event.item;
        const select = stageSelect(card);
        const stage = event.to.dataset.stage;
        if (event.to === event.from || !select || !stage) {
          putBack(card);
          return;
        }
        select.value = stage;
        select.form.requestSubmit();
      },
    });
  }

  // Enter on a focused card opens the lead, like clicking its name.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Enter" || !event.target.matches || !event.target.matches(".card")) return;
    const link = event.target.querySelector(".card-name");
    if (link) {
      event.preventDefault();
      link.click();
    }
  });

  // Runs for the page and for every piece of content htmx swaps in (filtered board, next
  // page of a column, a moved card).
  htmx.onLoad(function (root) {
    if (!(root instanceof Element)) return;
    if (root.matches(".card")) reconcile(root);
    root.querySelectorAll(".board-cards").forEach(makeSortable);
  });
})();
