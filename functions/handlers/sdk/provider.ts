export { HttpProvider } from '../../adapters/provider.js';
