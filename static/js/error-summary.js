// A form that came back with errors: its summary takes the focus, so that a screen reader reads it
// and the keyboard starts there (the GOV.UK pattern).
document.addEventListener("DOMContentLoaded", () => {
  const summary = document.getElementById("error-summary");
  if (summary) summary.focus();
});
