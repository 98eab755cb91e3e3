// The parents' pages: "Snel weg" (quick exit) and the guide's print button.
// Without JavaScript "Snel weg" is a plain link and the page prints from the browser's menu.
(function () {
  "use strict";
  var exit = document.querySelector("[data-quick-exit]");

  // location.replace takes this page out of the history, so Back does not return to it.
  function leave(event) {
    if (event) {
      event.preventDefault();
    }
    document.body.style.visibility = "hidden";
    window.location.replace(exit.href);
  }

  if (exit) {
    exit.addEventListener("click", leave);
    document.addEventListener("keydown", function (event) {
      if (event.key !== "Escape" || event.defaultPrevented) {
        return;
      }
      // In a field with suggestions, Escape first closes the suggestions.
      if (event.target && event.target.list) {
        return;
      }
      leave(event);
    });
  }

  Array.prototype.forEach.call(document.querySelectorAll("[data-print]"), function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      window.print();
    });
  });
})();
