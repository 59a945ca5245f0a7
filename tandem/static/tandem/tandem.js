// Upload progress for forms that send files through htmx (the people import).
document.addEventListener("htmx:xhr:progress", function (event) {
  var bar = event.target.querySelector("[data-upload-progress]");
  if (!bar || !event.detail.lengthComputable) return;
  var percent = Math.round((event.detail.loaded / event.detail.total) * 100);
  bar.style.width = percent + "%";
  bar.setAttribute("aria-valuenow", String(percent));
  bar.textContent = percent < 100 ? percent + "% uploaded" : "Checking rows…";
});

// Behaviour that templates ask for with data- attributes: the Content-Security-Policy allows no
// inline script or on* handler attribute (tandem/core/csp.py).

// data-confirm="Question?" on a form or a submit button: ask before submitting. Runs in the
// capture phase, before htmx's own listeners, and stops the event when the answer is no.
function tandemConfirm(event, element) {
  if (element && !window.confirm(element.getAttribute("data-confirm"))) {
    event.preventDefault();
    event.stopPropagation();
  }
}
document.addEventListener("click", function (event) {
  var button = event.target.closest("button[data-confirm], input[type=submit][data-confirm]");
  tandemConfirm(event, button);
}, true);
document.addEventListener("submit", function (event) {
  tandemConfirm(event, event.target.matches("form[data-confirm]") ? event.target : null);
}, true);

// data-submit-on-change on a field: submit its form when it changes (a checklist tick).
document.addEventListener("change", function (event) {
  var field = event.target;
  if (field.hasAttribute("data-submit-on-change") && field.form) field.form.requestSubmit();
});

// data-select-on-focus on a read-only field: select its text to copy (a token, a feed URL).
document.addEventListener("focusin", function (event) {
  if (event.target.hasAttribute("data-select-on-focus")) event.target.select();
});
