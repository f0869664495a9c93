// The interactive page of /api/docs: Swagger UI on the description the server serves. A file of
// its own, as the Content-Security-Policy runs no inline script.
window.addEventListener("DOMContentLoaded", function () {
  window.SwaggerUIBundle({ url: "/api/openapi", dom_id: "#api-docs", deepLinking: true });
});
