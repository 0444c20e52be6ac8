/** SCF handler: EventBridge CVM events (CloudMonitor events, CloudAudit Stop/TerminateInstances calls). */
import { handleCvmEvent } from '../../shared/app/handlers.js';
import { scfAsyncEntry } from '../../shared/app/scf-runtime.js';

export const main_handler = scfAsyncEntry(handleCvmEvent);
