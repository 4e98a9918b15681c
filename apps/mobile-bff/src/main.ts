import 'reflect-metadata';

import { runApp } from '@bff/core';

import { MOBILE_BFF } from './mobile-bff.definition.js';
import { MobileBffModule } from './mobile-bff.module.js';

await runApp(MobileBffModule, MOBILE_BFF);
