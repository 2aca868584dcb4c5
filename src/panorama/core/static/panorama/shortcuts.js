/* Single-key shortcuts (the list is core/templates/core/_shortcuts.html, opened by "?"):
   "?" shows every shortcut, "/" focuses the identify box, "g" then a letter goes to a
   page. None fires while the user types in a field, nor with Ctrl/Alt/Meta held (Ctrl+K
   is the palette's). The dialog is modal: focus stays inside, Esc closes it and gives the
   focus back. No inline script: CSP-friendly. */
(function () {
  "use strict";
  var pendingG = 0;  /* when "g" was pressed; the next letter within 1.5 s goes somewhere */
  var opener = null;

  function typing(target) {
    if (!target || !target.tagName) { return false; }
    var tag = target.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || target.isContentEditable;
  }

  function dialog() { return document.getElementById("pn-shortcuts"); }

  function anyDialogOpen() {
    var open = document.querySelectorAll("dialog[open], .modal.show, .offcanvas.show");
    return open.length > 0;
  }

  function show() {
    var d = dialog();
    if (!d || d.open) { return; }
    opener = document.activeElement;
    d.showModal();
    var close = d.querySelector("[data-pn-shortcuts-close]");
    if (close) { close.focus(); }
  }

  document.addEventListener("DOMContentLoaded", function () {
    var d = dialog();
    if (!d) { return; }
    d.addEventListener("click", function (event) {
      if (event.target === d || event.target.closest("[data-pn-shortcuts-close]")) { d.close(); }
    });
    d.addEventListener("close", function () {
      if (opener && document.contains(opener) && opener.focus) { opener.focus(); }
    });
  });

  document.addEventListener("click", function (event) {
    if (event.target.closest && event.target.closest("[data-pn-shortcuts-open]")) { show(); }
  });

  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) { return; }
    if (typing(event.target)) { return; }
    var key = event.key;
    if (pendingG && Date.now() - pendingG < 1500) {
      pendingG = 0;
      var row = document.querySelector('#pn-shortcuts [data-pn-goto="' + (key.length === 1 ? key.toLowerCase() : "") + '"]');
      if (row) { event.preventDefault(); window.location.assign(row.getAttribute("data-href")); }
      return;
    }
    pendingG = 0;
    if (anyDialogOpen()) { return; }
    if (key === "?") {
      event.preventDefault();
      show();
    } else if (key === "/") {
      var search = document.getElementById("navbar-search");
      if (search) { event.preventDefault(); search.focus(); }
    } else if (key === "g" && !event.shiftKey) {
      pendingG = Date.now();
    }
  });
})();
