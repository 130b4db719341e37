// Starts Swagger UI (npm's swagger-ui-dist, served under /vendor/) on the page's
// OpenAPI document; loaded by templates/docs.html, which has no inline script.
(function () {
  "use strict";
  var root = document.getElementById("swagger-ui");
  if (!root) {
    return;
  }
  if (typeof window.SwaggerUIBundle !== "function") {
    root.textContent = "Swagger UI could not be loaded; the OpenAPI document is at " +
      root.getAttribute("data-openapi");
    return;
  }
  window.ui = window.SwaggerUIBundle({
    url: root.getAttribute("data-openapi"),
    domNode: root,
    deepLinking: true,
    presets: [window.SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
    tryItOutEnabled: false,
  });
})();
