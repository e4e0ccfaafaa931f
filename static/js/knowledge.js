// Knowledge base: a drop zone for the upload form, the names of the chosen files, and upload progress.
// Without JavaScript the plain <input type="file" multiple> does the same job.
(function () {
  "use strict";

  function showChosen(input) {
    const form = input.form;
    const list = form && form.querySelector("[data-chosen-files]");
    if (!list) return;
    list.replaceChildren();
    Array.from(input.files || []).forEach(function (file) {
      const item = document.createElement("li");
      item.textContent = file.name + " (" + Math.max(1, Math.round(file.size / 1024)) + " KB)";
      list.appendChild(item);
    });
  }

  function setUp(zone) {
    if (zone.dataset.ready) return;
    zone.dataset.ready = "1";
    const input = zone.querySelector('input[type="file"]');
    const hint = zone.querySelector("[data-dropzone-hint]");
    if (!input) return;
    zone.classList.add("kb-dropzone-active");
    if (hint) hint.hidden = false;

    ["dragenter", "dragover"].forEach(function (name) {
      zone.addEventListener(name, function (event) {
        event.preventDefault();
        zone.classList.add("kb-dragover");
      });
    });
    ["dragleave", "dragend"].forEach(function (name) {
      zone.addEventListener(name, function (event) {
        if (event.target === zone || !zone.contains(event.relatedTarget)) zone.classList.remove("kb-dragover");
      });
    });
    zone.addEventListener("drop", function (event) {
      event.preventDefault();
      zone.classList.remove("kb-dragover");
      const files = event.dataTransfer && event.dataTransfer.files;
      if (!files || !files.length) return;
      input.files = files;
      input.dispatchEvent(new Event("change", { bubbles: true }));
      input.focus();
    });
  }

  function setUpAll(root) {
    root.querySelectorAll("[data-dropzone]").forEach(setUp);
  }

  document.addEventListener("change", function (event) {
    if (event.target.matches('[data-upload-form] input[type="file"]')) showChosen(event.target);
  });

  // Bytes sent so far, while htmx uploads the form.
  document.body.addEventListener("htmx:xhr:progress", function (event) {
    const form = event.target.closest && event.target.closest("[data-upload-form]");
    const bar = form && form.querySelector("[data-upload-progress]");
    if (!bar || !event.detail.lengthComputable) return;
    bar.hidden = false;
    bar.value = Math.round((event.detail.loaded / event.detail.total) * 100);
  });

  // The upload form is swapped in again after each upload: set up the new drop zone too.
  document.body.addEventListener("htmx:load", function (event) { setUpAll(event.detail.elt); });
  setUpAll(document);
})();
