/** SCF handler: CMQ topic messages, read as the MNS path reads its message bodies (agent reports, heartbeats, alarms). */
import { handleCmqMessage } from '../../shared/app/handlers.js';
import { scfAsyncEntry } from '../../shared/app/scf-runtime.js';

export const main_handler = scfAsyncEntry(handleCmqMessage);
