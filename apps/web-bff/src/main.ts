import 'reflect-metadata';
import { runApp } from '@bff/core';
import { WebBffModule } from './web-bff.module.js';
import { WEB_BFF } from './web-bff.definition.js';

await runApp(WebBffModule, WEB_BFF);
