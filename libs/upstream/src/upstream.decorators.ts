import { Inject } from '@nestjs/common';
import { upstreamToken } from './upstream.constants.js';

/** Injects the UpstreamClient declared under `name`. */
export const InjectUpstream = (name: string): ParameterDecorator => Inject(upstreamToken(name));
