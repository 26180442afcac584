// The ipywidgets HTML manager typesets widget labels with the MathJax 2 API
// (MathJax.Hub.Queue), which MathJax 3 no longer has (ipywidgets issue 3829).
// Give it a Hub whose Queue forwards "Typeset" jobs to MathJax 3.
(function () {
  "use strict";
  function typeset(element) {
    var mj = window.MathJax;
    if (!mj || !mj.startup || !mj.startup.promise) { return; }
    mj.startup.promise
      .then(function () { return mj.typesetPromise(element ? [element] : undefined); })
      .catch(function (err) { console.warn("MathJax typeset failed:", err); });
  }
  function install() {
    var mj = window.MathJax;
    if (!mj || mj.Hub || !mj.startup) { return; }
    mj.Hub = {
      Queue: function () {
        Array.prototype.forEach.call(arguments, function (job) {
          if (Array.isArray(job) && job[0] === "Typeset") { typeset(job[2]); }
        });
      }
    };
  }
  install();
  document.addEventListener("DOMContentLoaded", install);
})();
