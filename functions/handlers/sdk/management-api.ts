export { ManagementApiPoster, managementApiClient } from '../../adapters/management-api.js';
