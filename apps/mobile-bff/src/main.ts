import 'reflect-metadata';
import { runApp } from '@bff/core';
import { MobileBffModule } from './mobile-bff.module.js';
import { MOBILE_BFF } from './mobile-bff.definition.js';

await runApp(MobileBffModule, MOBILE_BFF);
