// The theme's icons are a font: each is a word ("dashboard", "filter_list") that screen readers read out inside the
// name of the link or button it decorates (WCAG 2.5.3, 1.3.1). An icon beside text is hidden from them; an icon
// that is a control's only content gives the control its title as name (or is hidden when the control is named
// already, or is a label: its field has a name of its own); an icon on its own is an image named by its title, or
// decoration. An icon-only control without words is left as it is: its template must name it.
(function () {
  function hide(root) {
    root.querySelectorAll(".material-symbols-outlined:not([aria-hidden]):not([role])").forEach(function (icon) {
      var control = icon.closest("a, button, summary, label, [role=button]");
      var around = control || icon.parentElement;
      var rest = around ? around.textContent.replace(icon.textContent, "").trim() : "";
      var title = around && around.getAttribute("title");
      if (rest) {
        icon.setAttribute("aria-hidden", "true");
      } else if (control) {
        if (title && !control.getAttribute("aria-label")) {
          control.setAttribute("aria-label", title);
        }
        if (control.getAttribute("aria-label") || control.getAttribute("aria-labelledby") || control.tagName === "LABEL") {
          icon.setAttribute("aria-hidden", "true");
        }
      } else if (title) {
        // An icon that is the whole value (a yes or no in a list): an image named by its title.
        icon.setAttribute("role", "img");
        icon.setAttribute("aria-label", title);
      } else {
        icon.setAttribute("aria-hidden", "true");
      }
    });
  }
  // Django's date and time fields get their shortcuts when the page has loaded: a calendar or clock link whose
  // only content is an icon drawn by CSS, with the words on the icon's title, and the separators between the
  // links, printed at size 0 but read out. The link takes the title as its name; the separators are hidden.
  function nameShortcuts(root) {
    root.querySelectorAll(".datetimeshortcuts").forEach(function (shortcuts) {
      shortcuts.querySelectorAll("a").forEach(function (link) {
        var icon = link.querySelector("[title]");
        if (icon && !link.getAttribute("aria-label")) {
          link.setAttribute("aria-label", icon.getAttribute("title"));
        }
      });
      [].slice.call(shortcuts.childNodes).forEach(function (node) {
        if (node.nodeType === Node.TEXT_NODE && node.textContent.trim()) {
          var hidden = document.createElement("span");
          hidden.setAttribute("aria-hidden", "true");
          shortcuts.replaceChild(hidden, node);
          hidden.appendChild(node);
        }
      });
    });
  }
  document.addEventListener("DOMContentLoaded", function () { hide(document); });
  // Named after Django's own load handler has run (the form's scripts add it after this one).
  window.addEventListener("load", function () { setTimeout(function () { nameShortcuts(document); }, 0); });
  // Rows and panels htmx or the theme add later.
  document.addEventListener("htmx:afterSwap", function (event) { hide(event.target); });
  // A new inline row's date fields get their shortcuts when the row is added (after Django's own handler).
  document.addEventListener("formset:added", function (event) {
    setTimeout(function () { nameShortcuts(event.target); }, 0);
  });
})();
