// After a save is refused, bring the first field with an error into view and put the cursor in it. The admin only
// says "Please correct the errors below" at the top, and the field may be far down the page or, in an inline
// table that scrolls sideways, out of sight to the right. (On "load": the page is hidden until Alpine, which
// the theme uses, has started, and a hidden field takes no focus.)
window.addEventListener("load", function () {
  var field = document.querySelector("form [aria-invalid=true]");
  if (!field) {
    return;
  }
  field.scrollIntoView({ block: "center", inline: "center" });
  field.focus({ preventScroll: true });
});
