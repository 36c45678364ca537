// The admin's autocomplete boxes (select2) are named by what they show: an empty box has no name at all, and the
// search field of a multiple choice none either (WCAG 4.1.2). Each gets its field's label as its name (with the
// choice made) and its help as its description, again whenever select2 redraws it (after a choice, a new inline row).
(function () {
  function labelOf(select) {
    var label = select.id && document.querySelector('label[for="' + select.id + '"]');
    return label ? label.textContent.replace(/\s+/g, " ").replace(/[:*]\s*$/, "").trim() : "";
  }

  function name(select) {
    var container = select.nextElementSibling;
    var text = labelOf(select);
    if (!text || !container || !container.classList.contains("select2")) {
      return;
    }
    // A single choice says what is chosen too ("Lead ministry: VWS — …"), as select2's own name did before it was
    // replaced by the label; select2 keeps the chosen text on the box's title.
    var rendered = container.querySelector(".select2-selection--single .select2-selection__rendered");
    var chosen = rendered && rendered.getAttribute("title");
    var spoken = chosen ? text + ": " + chosen.trim() : text;
    container.querySelectorAll("[role=combobox], [role=textbox]").forEach(function (element) {
      element.setAttribute("aria-label", spoken);
      element.removeAttribute("aria-labelledby");
    });
    container.querySelectorAll(".select2-search__field").forEach(function (element) {
      element.setAttribute("aria-label", text);
      element.removeAttribute("aria-labelledby");
    });
    // The field's help is read with the box the keyboard is on, not with the hidden choice behind it.
    var help = select.getAttribute("aria-describedby");
    if (help) {
      container.querySelectorAll("[role=combobox], .select2-search__field").forEach(function (element) {
        element.setAttribute("aria-describedby", help);
      });
    }
    // The clear cross, the arrow and a choice's remove cross are drawn for the mouse (the keyboard clears with
    // Backspace or Delete); read out, they would put "×" into the box's value.
    container.querySelectorAll(".select2-selection__clear, .select2-selection__arrow, .select2-selection__choice__remove")
      .forEach(function (element) { element.setAttribute("aria-hidden", "true"); });
    // A multiple choice lists its choices in a <ul> that holds its search field too, which a list may not: the
    // choices are read as the box's text instead (each with its remove button), not as a list.
    container.querySelectorAll("ul.select2-selection__rendered, ul.select2-selection__rendered > li").forEach(
      function (element) { element.setAttribute("role", "none"); });
  }

  function nameAll() {
    document.querySelectorAll("select.admin-autocomplete").forEach(name);
  }

  window.addEventListener("load", function () {
    nameAll();
    var observer = new MutationObserver(function () {
      observer.disconnect();
      nameAll();
      observe();
    });
    function observe() {
      observer.observe(document.body, { childList: true, subtree: true });
    }
    observe();
  });
})();
