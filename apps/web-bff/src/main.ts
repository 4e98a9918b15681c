import 'reflect-metadata';

import { runApp } from '@bff/core';

import { WEB_BFF } from './web-bff.definition.js';
import { WebBffModule } from './web-bff.module.js';

await runApp(WebBffModule, WEB_BFF);
