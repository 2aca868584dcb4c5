/* The customer picker ([data-pn-picker], customers/widgets.py): a combobox whose
   options arrive from the server as the user types (HTMX). Focus stays in the search
   box; ArrowDown/ArrowUp move the active option (aria-activedescendant), Enter or a
   click picks it: the hidden input [data-pn-picked] gets the customer's id and the box
   his name. Typing again forgets the pick; Escape closes the options. */
(function () {
  "use strict";

  function parts(el) {
    var root = el.closest("[data-pn-picker]");
    if (!root) { return null; }
    return {
      root: root,
      box: root.querySelector("[role=combobox]"),
      picked: root.querySelector("[data-pn-picked]"),
      options: Array.prototype.slice.call(root.querySelectorAll("[data-pn-pick]"))
    };
  }

  function close(p) {
    var results = p.root.querySelector(".pn-picker-results");
    if (results) { results.innerHTML = ""; }
    p.box.setAttribute("aria-expanded", "false");
    p.box.removeAttribute("aria-activedescendant");
  }

  function activate(p, option) {
    p.options.forEach(function (o) {
      var on = o === option;
      o.setAttribute("aria-selected", on ? "true" : "false");
      o.classList.toggle("active", on);
    });
    if (option) {
      p.box.setAttribute("aria-activedescendant", option.id);
      option.scrollIntoView({ block: "nearest" });
    }
  }

  function pick(p, option) {
    p.picked.value = option.getAttribute("data-pn-pick");
    p.box.value = option.getAttribute("data-pn-pick-label");
    p.picked.dispatchEvent(new Event("change", { bubbles: true }));
    close(p);
    p.box.focus();
  }

  document.addEventListener("htmx:afterSwap", function (event) {
    var p = parts(event.target);
    if (!p || !event.target.classList.contains("pn-picker-results")) { return; }
    p.box.setAttribute("aria-expanded", p.options.length ? "true" : "false");
    p.box.removeAttribute("aria-activedescendant");
  });

  document.addEventListener("input", function (event) {
    var p = event.target.matches && event.target.matches("[data-pn-picker] [role=combobox]") && parts(event.target);
    if (p && p.picked.value) { p.picked.value = ""; }
  });

  document.addEventListener("keydown", function (event) {
    var p = event.target.matches && event.target.matches("[data-pn-picker] [role=combobox]") && parts(event.target);
    if (!p) { return; }
    var active = p.root.querySelector("[data-pn-pick][aria-selected=true]");
    var i = p.options.indexOf(active);
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      if (!p.options.length) { return; }
      event.preventDefault();
      var step = event.key === "ArrowDown" ? 1 : -1;
      activate(p, p.options[(i + step + p.options.length) % p.options.length]);
    } else if (event.key === "Enter" && active) {
      event.preventDefault();
      pick(p, active);
    } else if (event.key === "Escape" && p.box.getAttribute("aria-expanded") === "true") {
      event.preventDefault();
      event.stopPropagation();
      close(p);
    }
  });

  document.addEventListener("click", function (event) {
    var option = event.target.closest && event.target.closest("[data-pn-picker] [data-pn-pick]");
    if (!option) { return; }
    event.preventDefault();
    pick(parts(option), option);
  });
})();
