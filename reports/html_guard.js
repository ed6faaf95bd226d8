(function () {
  "use strict";
  // Record every script error, console error and CSP violation in the page
  // itself (the data-errors attribute of the body element), so a headless
  // browser can report them.
  var errors = [];
  function record(msg) {
    errors.push(String(msg));
    var el = document.body || document.documentElement;
    el.setAttribute("data-errors", errors.join("\n"));
  }
  window.assayErrors = errors;
  window.onerror = function (message, source, line, column) {
    record(message + " at " + line + ":" + column);
  };
  window.addEventListener("unhandledrejection", function (e) {
    record("unhandled rejection: " + e.reason);
  });
  document.addEventListener("securitypolicyviolation", function (e) {
    record("CSP violation: " + e.violatedDirective + " " + e.blockedURI);
  });
  var consoleError = console.error;
  console.error = function () {
    record(Array.prototype.join.call(arguments, " "));
    return consoleError.apply(console, arguments);
  };
  document.addEventListener("DOMContentLoaded", function () {
    if (errors.length) {
      document.body.setAttribute("data-errors", errors.join("\n"));
    }
  });
})();
