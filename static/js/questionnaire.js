// Drafts are never lost. htmx saves the form a moment after each change (see apply.html); this
// file says so on the page, and saves what is still unsaved when the member leaves the page.
(function () {
  "use strict";
  // The words are the reader's language (the catalogue base.html loads first; English without it).
  var gettext = window.gettext || function (text) { return text; };
  var form = document.getElementById("questionnaire");
  if (!form) { return; }
  var status = document.getElementById("draft-status");
  var url = form.getAttribute("hx-post");
  var dirty = false;
  var submitting = false; // the form is on its way: no draft may be saved behind it
  var inFlight = 0; // drafts being saved right now
  var waiting = null; // the button pressed while a draft was being saved

  function changed() {
    dirty = true;
    status.textContent = gettext("Saving…");
  }
  form.addEventListener("input", changed);
  form.addEventListener("change", changed);
  form.addEventListener("htmx:beforeRequest", function (event) {
    if (submitting) {
      event.preventDefault();
      return;
    }
    inFlight += 1;
  });
  form.addEventListener("htmx:afterRequest", function (event) {
    inFlight = Math.max(0, inFlight - 1);
    if (event.detail.successful) {
      dirty = false;
    } else {
      status.textContent = gettext("Your draft could not be saved just now. Use “Save draft and leave” to be sure.");
    }
    if (inFlight === 0 && waiting) {
      var button = waiting;
      waiting = null;
      form.requestSubmit(button);
    }
  });
  // Sending the form saves everything. A draft save already on its way finishes first (else
  // it could land after the sending and bring back a draft of what was just sent).
  form.addEventListener("submit", function (event) {
    if (inFlight > 0) {
      event.preventDefault();
      waiting = event.submitter || form.querySelector("[type=submit]");
      return;
    }
    submitting = true;
    dirty = false;
  });

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
