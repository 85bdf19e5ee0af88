/** The one uuid check (../ids.ts), where the routes import it. */
export { isUuid } from '../ids.ts';
