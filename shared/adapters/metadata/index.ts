export {
  createMetadataClient,
  type HardenedMode,
  type MetadataClient,
  type MetadataClientOptions,
} from './client.js';
export {
  type CredentialSource,
  type Credentials,
  envCredentials,
  type RoleCredentialsOptions,
  roleCredentials,
  staticCredentials,
} from './credentials.js';
export { METADATA_LAYOUTS, type MetadataCloud } from './layout.js';
