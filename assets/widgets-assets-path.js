// Loaded before require.js, which reads a global `require` object as its configuration.
// The ipywidgets HTML manager finds its icon fonts next to the AMD module
// "@jupyter-widgets/html-manager/dist/libembed-amd": map that module to _static/widgets/.
var require = {
  paths: {
    "@jupyter-widgets/html-manager/dist": new URL("widgets", document.currentScript.src).href
  }
};
