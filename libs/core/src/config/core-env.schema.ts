import { CoreEnv } from './core.env.js';
import { envClass } from './env-schema.js';

export const coreEnvSchema = envClass(CoreEnv, 'core');
