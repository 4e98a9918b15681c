import { Module } from '@nestjs/common';

import { SpaHost } from './spa.host.js';

/**
 * Hosts a built single-page app at the BFF's origin (docs/frontend.md): set SPA_DIR to the build
 * folder (unset: nothing is served, `/` stays the platform's 404). Needs `spaEnv` in the app
 * definition's env list.
 */
@Module({ providers: [SpaHost] })
export class SpaModule {}
