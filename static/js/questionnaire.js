// Drafts are never lost. htmx saves the form a moment after each change (see apply.html); this
// file says so on the page, and saves what is still unsaved when the member leaves the page.
(function () {
  "use strict";
  var form = document.getElementById("questionnaire");
  if (!form) { return; }
  var status = document.getElementById("draft-status");
  var url = form.getAttribute("hx-post");
  var dirty = false;

  function changed() {
    dirty = true;
    status.textContent = "Saving…";
  }
  form.addEventListener("input", changed);
  form.addEventListener("change", changed);
  form.addEventListener("htmx:afterRequest", function (event) {
    if (event.detail.successful) {
      dirty = false;
    } else {
      status.textContent = "Your draft could not be saved just now. Use “Save draft and leave” to be sure.";
    }
  });
  // Sending the form saves everything; nothing must be saved behind it.
  form.addEventListener("submit", function () { dirty = false; });

  function saveOnLeave() {
    if (dirty && navigator.sendBeacon) {
      navigator.sendBeacon(url, new FormData(form));
      dirty = false;
    }
  }
  window.addEventListener("pagehide", saveOnLeave);
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") { saveOnLeave(); }
  });
})();
