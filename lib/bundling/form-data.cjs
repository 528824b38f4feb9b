// Stands in for `form-data` in the Lambda bundles (lib/functions.ts): axios's Node build imports
// it for multipart bodies, which Herald never sends (the provider takes JSON), and the real
// package brings a 134 KB MIME database into every bundle that uses axios.
module.exports = class FormData {
  constructor() {
    throw new Error('multipart bodies are not part of this bundle');
  }
};
