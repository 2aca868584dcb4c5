/* Inline edit (core/lists/actions.py Edit, core/properties.py Property): one component
   for a list's cells and a ficha's properties. A container [data-pn-editable] (a td, a
   dd) shows the value and its edit button; the button (or F2 on a list row) asks the
   editor, a [data-pn-cell-form]. In it Enter saves, Esc cancels, Tab saves and moves to
   the next editable value of the same list or ficha (Shift+Tab: the previous one), and,
   with data-pn-blur-save, leaving the field saves. A save shows the new value at once
   (optimistic); the server's answer replaces it: the saved value, or (422) the value
   kept, the editor with what was typed and the service's message (role=alert). A
   failure with no answer puts the editor back with a message. Afterwards the focus is
   on the value's button, or in the editor when refused. No inline script. */
(function () {
  "use strict";

  var SCOPE = "[data-pn-list], [data-pn-properties]";
  var pendingMove = null; // {from: container, to: container} while a Tab save runs

  function fieldOf(form) {
    return form.querySelector("select, textarea, input:not([type=hidden])");
  }

  function changed(field) {
    if (!field) { return false; }
    if (field.tagName === "SELECT") {
      for (var i = 0; i < field.options.length; i++) {
        if (field.options[i].selected !== field.options[i].defaultSelected) { return true; }
      }
      return false;
    }
    if (field.type === "checkbox") { return field.checked !== field.defaultChecked; }
    return field.value !== field.defaultValue;
  }

  function shown(field) {
    if (field.tagName === "SELECT") {
      var option = field.options[field.selectedIndex];
      return option ? option.text : "";
    }
    return field.value;
  }

  function wire(el) { if (window.htmx) { window.htmx.process(el); } }

  function neighbour(container, step) {
    var scope = container.closest(SCOPE);
    if (!scope) { return null; }
    var all = Array.prototype.slice.call(scope.querySelectorAll("[data-pn-editable]"));
    var index = all.indexOf(container);
    return index < 0 ? null : all[index + step] || null;
  }

  function openEditor(container) {
    var edit = container.querySelector("[data-pn-edit]");
    if (!edit) { return false; }
    wire(edit);
    edit.click();
    return true;
  }

  function close(form, save) {
    if (form.getAttribute("data-pn-closing")) { return; }
    form.setAttribute("data-pn-closing", "1");
    if (save) {
      form.requestSubmit();
    } else {
      var cancel = form.querySelector("[data-pn-cell-cancel]");
      wire(cancel);
      cancel.click();
    }
  }

  document.addEventListener("keydown", function (event) {
    var form = event.target.closest && event.target.closest("[data-pn-cell-form]");
    if (form) {
      /* The editor gets the focus as soon as it is in the page; htmx wires its buttons a
         moment later (the settle): make sure they are wired before using them. */
      wire(form);
      var field = fieldOf(form);
      if (event.key === "Escape") {
        event.preventDefault();
        close(form, false);
      } else if (event.key === "Enter" && event.target.tagName === "SELECT") {
        event.preventDefault();
        close(form, true);
      } else if (event.key === "Tab" && !event.ctrlKey && !event.altKey && !event.metaKey) {
        var container = form.closest("[data-pn-editable]");
        var next = container && neighbour(container, event.shiftKey ? -1 : 1);
        if (!next) { return; }
        event.preventDefault();
        pendingMove = { from: container, to: next };
        close(form, changed(field));
      }
      return;
    }
    if (event.key === "F2") {
      var row = event.target.closest && event.target.closest("[data-pn-list] tr");
      var first = row && row.querySelector("[data-pn-editable]");
      if (first && openEditor(first)) { event.preventDefault(); }
    }
  });

  /* A submitted form is closing: Enter on an input submits natively (htmx posts it). */
  document.addEventListener("submit", function (event) {
    if (event.target.matches && event.target.matches("[data-pn-cell-form]")) {
      event.target.setAttribute("data-pn-closing", "1");
    }
  }, true);

  /* Leaving a ficha property's field saves it (nothing changed: closes it; refused and
     not changed since: stays open with its message, so what was typed is not lost). */
  document.addEventListener("focusout", function (event) {
    var form = event.target.closest && event.target.closest("[data-pn-cell-form][data-pn-blur-save]");
    if (!form || (event.relatedTarget && form.contains(event.relatedTarget))) { return; }
    window.setTimeout(function () {
      if (!form.isConnected || form.contains(document.activeElement)) { return; }
      var edited = changed(fieldOf(form));
      if (!edited && form.querySelector(".pn-cell-error")) { return; }
      close(form, edited);
    }, 0);
  });

  /* Optimistic: the new value shows while the service decides. */
  document.addEventListener("htmx:beforeRequest", function (event) {
    var form = event.detail.elt;
    if (!form.matches || !form.matches("[data-pn-cell-form]")) { return; }
    var field = fieldOf(form);
    var container = form.closest("[data-pn-editable]");
    var saved = container.querySelector("[data-pn-cell-saved]");
    if (saved) { saved.remove(); }
    var value = document.createElement("span");
    value.className = "pn-cell-value pn-cell-optimistic";
    value.textContent = field ? shown(field) : "";
    container.insertBefore(value, form);
    container.setAttribute("aria-busy", "true");
    form.hidden = true;
  });

  /* No answer to swap (a 5xx, the network): the editor back, with what was typed. */
  document.addEventListener("htmx:afterRequest", function (event) {
    var form = event.detail.elt;
    if (!form.matches || !form.matches("[data-pn-cell-form]")) { return; }
    var container = form.closest("[data-pn-editable]");
    if (!container) { return; }
    container.removeAttribute("aria-busy");
    if (event.detail.successful || (event.detail.xhr && event.detail.xhr.status === 422)) { return; }
    var optimistic = container.querySelector(".pn-cell-optimistic");
    if (optimistic) { optimistic.remove(); }
    form.hidden = false;
    form.removeAttribute("data-pn-closing");
    var alert = form.querySelector(".pn-cell-error");
    if (!alert) {
      alert = document.createElement("div");
      alert.className = "pn-cell-error";
      alert.setAttribute("role", "alert");
      form.appendChild(alert);
    }
    alert.textContent = form.getAttribute("data-pn-failed");
    pendingMove = null;
    var field = fieldOf(form);
    if (field) { field.focus(); }
  });

  /* After the settle, when htmx has wired the new buttons: a key pressed at once works. */
  document.addEventListener("htmx:afterSettle", function (event) {
    var container = event.detail.target;
    if (!container || !container.matches || !container.matches("[data-pn-editable]")) { return; }
    container.removeAttribute("aria-busy");
    var field = container.querySelector("[data-pn-cell-form] select, [data-pn-cell-form] textarea, [data-pn-cell-form] input:not([type=hidden])");
    var edit = container.querySelector("[data-pn-edit]");
    if (pendingMove && pendingMove.from === container) {
      var next = pendingMove.to;
      pendingMove = null;
      if (!field && next.isConnected && openEditor(next)) { return; }
    }
    if (field) { field.focus(); } else if (edit) { edit.focus(); }
  });
})();
