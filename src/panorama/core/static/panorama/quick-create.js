/* Quick create: the "+" button of the top bar (or "n" outside a field) opens a modal
   <dialog> and loads the new-customer form into it (HTMX, modal=1). The form posts into
   the dialog: errors and the possible-duplicate warning come back in it; on success the
   server sends the browser to the new ficha (HX-Redirect). Esc or Cancel closes it and
   gives the focus back. No inline script: CSP-friendly. */
(function () {
  "use strict";
  var opener = null;

  function dialog() { return document.getElementById("pn-quick-create"); }

  function typing(target) {
    var tag = target && target.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || (target && target.isContentEditable);
  }

  function open() {
    var d = dialog();
    if (!d || d.open || !window.htmx) { return; }
    opener = document.activeElement;
    var body = document.getElementById("pn-quick-create-body");
    body.innerHTML = "";
    d.showModal();
    window.htmx.ajax("GET", d.getAttribute("data-url"), { target: body, swap: "innerHTML" }).then(function () {
      var first = body.querySelector("input:not([type=hidden]):not([type=radio]), select, textarea");
      if (first) { first.focus(); }
    });
  }

  document.addEventListener("click", function (event) {
    if (!event.target.closest) { return; }
    if (event.target.closest("[data-pn-quick-create-open]")) { open(); return; }
    var d = dialog();
    if (d && d.open && (event.target === d || event.target.closest("[data-pn-quick-create-close]"))) { d.close(); }
  });

  document.addEventListener("DOMContentLoaded", function () {
    var d = dialog();
    if (d) {
      d.addEventListener("close", function () {
        if (opener && document.contains(opener) && opener.focus) { opener.focus(); }
      });
    }
  });

  document.addEventListener("keydown", function (event) {
    if (event.key !== "n" || event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented) { return; }
    if (typing(event.target) || document.querySelector("dialog[open], .modal.show, .offcanvas.show")) { return; }
    event.preventDefault();
    open();
  });
})();
