// The admin's autocomplete boxes (select2) are named by what they show: an empty box has no name at all, and the
// search field of a multiple choice none either (WCAG 4.1.2). Each gets its field's label as its name, again
// whenever select2 redraws it (after a choice, a new inline row).
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
    container.querySelectorAll("[role=combobox], [role=textbox], .select2-search__field").forEach(function (element) {
      element.setAttribute("aria-label", text);
      element.removeAttribute("aria-labelledby");
    });
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
