/** SCF handler: the scheduled health sweep (timer trigger; its argument selects the groups). */
import { handleScfTimer } from '../../shared/app/handlers.js';
import { scfAsyncEntry } from '../../shared/app/scf-runtime.js';

export const main_handler = scfAsyncEntry(handleScfTimer);
