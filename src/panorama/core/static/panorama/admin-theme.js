/* The Django admin follows the staff UI's theme: the stored choice ("pn-theme" = light |
   dark, see theme.js) or else the OS preference ("auto"). Loaded in <head>, not deferred,
   so the first paint has the right theme. The admin's own toggle is hidden (admin.css):
   the choice is made in Panorama's top bar and applies to both. */
(function () {
  "use strict";
  var chosen = null;
  try { chosen = window.localStorage.getItem("pn-theme"); } catch (e) { /* private mode */ }
  var theme = chosen === "light" || chosen === "dark" ? chosen : "auto";
  document.documentElement.dataset.theme = theme;
})();
