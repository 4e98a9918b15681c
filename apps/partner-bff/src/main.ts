import 'reflect-metadata';
import { runApp } from '@bff/core';
import { PartnerBffModule } from './partner-bff.module.js';
import { PARTNER_BFF } from './partner-bff.definition.js';

await runApp(PartnerBffModule, PARTNER_BFF);
