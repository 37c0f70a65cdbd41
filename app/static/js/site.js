// Small progressive enhancements; every page works without JavaScript.
(function () {
  "use strict";
  // Move keyboard focus to the error summary of a form that came back with errors.
  var summary = document.getElementById("formulierfouten");
  if (summary) { summary.focus(); }
})();
