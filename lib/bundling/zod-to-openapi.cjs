// Stands in for @asteasolutions/zod-to-openapi in the Lambda bundles (lib/functions.ts). The
// request schemas call `.openapi()` when they are built (functions/api/schemas/fields.ts), but
// only the document's generator reads what it records, and the deployed api reads the document
// generated at build time instead (functions/definitions/functions.ts, OPENAPI_FILE). So in a
// bundle `.openapi()` records nothing and returns the schema as it is; validation does not read
// the metadata either way. The real package is ~29 KB of the api's bundle.
function extendZodWithOpenApi(zod) {
  zod.ZodType.prototype.openapi ??= function openapi() {
    return this;
  };
}
module.exports = { extendZodWithOpenApi };
