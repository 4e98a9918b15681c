import { Inject } from '@nestjs/common';

import { upstreamHttpToken, upstreamToken } from './upstream.constants.js';

/** Injects the UpstreamClient declared under `name`. */
export const InjectUpstream = (name: string): ParameterDecorator => Inject(upstreamToken(name));

/** Injects the @nestjs/axios HttpService of an upstream declared with `transport: 'axios'` (to add interceptors). */
export const InjectUpstreamHttp = (name: string): ParameterDecorator => Inject(upstreamHttpToken(name));
