/* Panorama web form: sends a form marked data-panorama-form to its Panorama endpoint
   without leaving the page, shows the answer, and marks the fields in error. No
   dependency; without JavaScript the form still posts (and goes to the thank-you page). */
(function () {
  "use strict";

  function show(form, text, ok) {
    var box = form.querySelector("[data-panorama-message]");
    if (box) {
      box.textContent = text;
      box.setAttribute("data-ok", ok ? "true" : "false");
    }
  }

  function clearErrors(form) {
    var old = form.querySelectorAll("[data-panorama-error]");
    for (var i = 0; i < old.length; i++) old[i].parentNode.removeChild(old[i]);
    var marked = form.querySelectorAll("[aria-invalid]");
    for (var j = 0; j < marked.length; j++) marked[j].removeAttribute("aria-invalid");
  }

  function markErrors(form, errors) {
    Object.keys(errors || {}).forEach(function (name) {
      var field = form.querySelector('[name="' + name + '"]');
      var note = document.createElement("span");
      note.setAttribute("data-panorama-error", name);
      note.textContent = " " + errors[name].join(" ");
      if (field) {
        field.setAttribute("aria-invalid", "true");
        field.parentNode.appendChild(note);
      } else {
        form.appendChild(note);
      }
    });
  }

  function send(event) {
    var form = event.target;
    event.preventDefault();
    clearErrors(form);
    var button = form.querySelector("button[type=submit]");
    if (button) button.disabled = true;
    fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      headers: { Accept: "application/json" },
      mode: "cors",
      credentials: "omit",
    })
      .then(function (response) {
        return response.json().then(function (body) {
          return { status: response.status, body: body };
        });
      })
      .then(function (answer) {
        if (answer.status < 300) {
          form.reset();
          show(form, answer.body.message, true);
          var thanks = form.getAttribute("data-thank-you");
          if (thanks) window.location.assign(thanks);
        } else {
          markErrors(form, answer.body.errors);
          show(form, answer.body.detail, false);
        }
      })
      .catch(function () {
        show(form, form.getAttribute("data-error-text") || "The form could not be sent. Please try again.", false);
      })
      .then(function () {
        if (button) button.disabled = false;
      });
  }

  function start() {
    var forms = document.querySelectorAll("form[data-panorama-form]");
    for (var i = 0; i < forms.length; i++) forms[i].addEventListener("submit", send);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
