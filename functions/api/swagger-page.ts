/** The /docs page: Swagger UI from swagger-ui-dist's files (served beside it), configured for our document. */
import type { APIGatewayProxyResult } from 'aws-lambda';

export function swaggerUiPage(path: string): APIGatewayProxyResult {
  // At /docs relative links resolve against the parent, at /docs/ against /docs itself.
  const [assetsAt, specAt] = path.endsWith('/') ? ['./', '../openapi.json'] : ['docs/', 'openapi.json'];
  const html = `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="UTF-8">
  <title>Herald API</title>
  <link rel="stylesheet" href="${assetsAt}swagger-ui.css">
  <link rel="stylesheet" href="${assetsAt}index.css">
  <link rel="icon" type="image/png" href="${assetsAt}favicon-32x32.png" sizes="32x32">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="${assetsAt}swagger-ui-bundle.js" charset="UTF-8"></script>
  <script src="${assetsAt}swagger-ui-standalone-preset.js" charset="UTF-8"></script>
  <script>
    window.onload = () => {
      window.ui = SwaggerUIBundle({
        url: ${JSON.stringify(specAt)},
        dom_id: '#swagger-ui',
        deepLinking: true,
        presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
        layout: 'StandaloneLayout',
      });
    };
  </script>
</body>
</html>
`;
  return { statusCode: 200, headers: { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-cache' }, body: html };
}
