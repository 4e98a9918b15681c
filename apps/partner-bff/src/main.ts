import 'reflect-metadata';

import { runApp } from '@bff/core';

import { PARTNER_BFF } from './partner-bff.definition.js';
import { PartnerBffModule } from './partner-bff.module.js';

await runApp(PartnerBffModule, PARTNER_BFF);
