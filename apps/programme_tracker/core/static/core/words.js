// Words the theme's scripts write in English into the page, said in the page's language instead: the name
// SimpleBar gives every area it makes scrollable ("scrollable content"), which a screen reader reads out. The
// words come from the page itself (a <template id="pt-words">, translated by the server).
window.addEventListener("load", function () {
  var words = document.getElementById("pt-words");
  var scrollable = words && words.content.querySelector("[data-word=scrollable]");
  if (!scrollable) {
    return;
  }
  document.querySelectorAll(".simplebar-content-wrapper[aria-label]").forEach(function (area) {
    area.setAttribute("aria-label", scrollable.textContent);
  });
});
