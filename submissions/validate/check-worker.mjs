// A worker thread of the intake's model-check pool (check-pool.ts): plain JavaScript so that a worker starts
// without the parent's loader; it registers tsx itself (as bin/lpcv.js does) and then runs check-worker.ts.
import { register } from 'tsx/esm/api';

register();
await import('./check-worker.ts');
