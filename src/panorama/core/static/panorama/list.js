/* The shared list (core/lists.py): come back to the row you opened.
   Opening a record from a list first writes the row into the address bar
   (#<list>-row-<pk>, with the list's own query that already says how many rows are
   loaded), so Back draws the same rows, scrolls to that one and focuses its link.
   After "load more", the first new row's link (or any [data-pn-focus], e.g. the ficha
   timeline's first new contact) takes the focus from the vanished button.
   No inline script: CSP-friendly. */
(function () {
  "use strict";

  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("[data-pn-list] a[data-pn-row]");
    if (!link) { return; }
    var row = link.closest("tr[id]");
    if (!row) { return; }
    history.replaceState(history.state, "", location.pathname + location.search + "#" + row.id);
  }, true);

  function focusRow() {
    var id = decodeURIComponent(location.hash.slice(1));
    if (!id) { return; }
    var row = document.getElementById(id);
    if (!row || !row.closest("[data-pn-list]")) { return; }
    var link = row.querySelector("a[data-pn-row]");
    if (!link) { return; }
    link.focus({ preventScroll: true });
    row.scrollIntoView({ block: "center" });
  }
  document.addEventListener("DOMContentLoaded", focusRow);
  window.addEventListener("pageshow", function (event) { if (event.persisted) { focusRow(); } });

  document.addEventListener("htmx:afterSettle", function () {
    var first = document.querySelector("[data-pn-focus]");
    if (!first) { return; }
    first.removeAttribute("data-pn-focus");
    if (document.activeElement === document.body || document.activeElement === null) {
      first.focus();
    }
  });
})();

/* Bulk selection and inline edit (core/lists/actions.py). */
(function () {
  "use strict";

  function listOf(el) { return el.closest("[data-pn-list]"); }

  function refresh(list) {
    var form = list.querySelector("[data-pn-bulk]");
    if (!form) { return; }
    var boxes = list.querySelectorAll("[data-pn-select]");
    var checked = list.querySelectorAll("[data-pn-select]:checked").length;
    var all = form.querySelector("[data-pn-all]");
    var count = form.querySelector("[data-pn-count]");
    var matching = form.querySelector("[data-pn-select-matching]");
    var every = checked > 0 && checked === boxes.length;
    if (!every) { all.value = ""; }
    form.classList.toggle("pn-bulk-active", checked > 0);
    if (all.value === "1") {
      count.textContent = count.getAttribute("data-all");
    } else if (checked === 0) {
      count.textContent = count.getAttribute("data-none") || count.textContent;
    } else {
      count.textContent = checked === 1 ? count.getAttribute("data-one")
        : count.getAttribute("data-many").replace("__N__", String(checked));
    }
    if (matching) { matching.hidden = !every || all.value === "1"; }
    var head = list.querySelector("[data-pn-select-all]");
    if (head) {
      head.checked = every;
      head.indeterminate = checked > 0 && !every;
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    var counts = document.querySelectorAll("[data-pn-count]");
    for (var i = 0; i < counts.length; i++) { counts[i].setAttribute("data-none", counts[i].textContent); }
    var forms = document.querySelectorAll("[data-pn-bulk]");
    for (var j = 0; j < forms.length; j++) { forms[j].classList.add("pn-bulk-js"); }
  });
  document.addEventListener("htmx:afterSettle", function () {
    var forms = document.querySelectorAll("[data-pn-bulk]:not(.pn-bulk-js)");
    for (var j = 0; j < forms.length; j++) {
      var count = forms[j].querySelector("[data-pn-count]");
      count.setAttribute("data-none", count.textContent);
      forms[j].classList.add("pn-bulk-js");
      refresh(listOf(forms[j]));
    }
  });

  document.addEventListener("change", function (event) {
    var target = event.target;
    var list = listOf(target);
    if (!list) { return; }
    if (target.matches("[data-pn-select-all]")) {
      var boxes = list.querySelectorAll("[data-pn-select]");
      for (var i = 0; i < boxes.length; i++) { boxes[i].checked = target.checked; }
    }
    if (target.matches("[data-pn-select-all], [data-pn-select]")) { refresh(list); }
    if (target.matches("[data-pn-bulk-action]")) {
      var params = list.querySelectorAll("[data-pn-bulk-param]");
      for (var k = 0; k < params.length; k++) {
        params[k].hidden = params[k].getAttribute("data-pn-bulk-param") !== target.value;
      }
    }
  });

  document.addEventListener("click", function (event) {
    var list = listOf(event.target);
    if (!list) { return; }
    if (event.target.closest("[data-pn-select-matching]")) {
      list.querySelector("[data-pn-all]").value = "1";
      refresh(list);
    } else if (event.target.closest("[data-pn-clear-selection]")) {
      var boxes = list.querySelectorAll("[data-pn-select]");
      for (var i = 0; i < boxes.length; i++) { boxes[i].checked = false; }
      refresh(list);
    }
  });
})();
