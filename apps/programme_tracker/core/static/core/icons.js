// The theme's icons are a font: each is a word ("dashboard", "filter_list") that screen readers read out inside the
// name of the link or button it decorates (WCAG 2.5.3, 1.3.1). An icon beside text is hidden from them; an icon
// that is a control's only content gives the control its title as name, else it stays as it is.
(function () {
  function hide(root) {
    root.querySelectorAll(".material-symbols-outlined:not([aria-hidden]):not([role])").forEach(function (icon) {
      var control = icon.closest("a, button, summary, label, [role=button]");
      var around = control || icon.parentElement;
      var rest = around ? around.textContent.replace(icon.textContent, "").trim() : "";
      var title = around && around.getAttribute("title");
      if (rest) {
        icon.setAttribute("aria-hidden", "true");
      } else if (title && control && !control.getAttribute("aria-label")) {
        control.setAttribute("aria-label", title);
        icon.setAttribute("aria-hidden", "true");
      } else if (title && !control) {
        // An icon that is the whole value (a yes or no in a list): an image named by its title.
        icon.setAttribute("role", "img");
        icon.setAttribute("aria-label", title);
      }
    });
  }
  document.addEventListener("DOMContentLoaded", function () { hide(document); });
  // Rows and panels htmx or the theme add later.
  document.addEventListener("htmx:afterSwap", function (event) { hide(event.target); });
})();
