// The benchmark's peer: web-bff's product page built the way the NestJS docs teach a BFF (Express adapter,
// @nestjs/axios HttpService, a global ValidationPipe, Promise.all). Started by the harness like the raw
// baselines: HOST/PORT from the environment, one JSON line {"listening": url} on stdout once listening, and
// gone when the harness's stdin pipe closes.
import { ValidationPipe } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';

import { AppModule } from './app.module.js';

const app = await NestFactory.create(AppModule, { logger: ['error', 'warn'] });
// The options of web-bff's global pipe (libs/core PlatformValidationPipe), without its problem+json errors.
app.useGlobalPipes(new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true, forbidUnknownValues: true }));
await app.listen(Number(process.env.PORT ?? 0), process.env.HOST ?? '127.0.0.1');
console.log(JSON.stringify({ listening: await app.getUrl(), name: 'nest-docs-bff' }));

let closing = false;
function close(): void {
  if (closing) return;
  closing = true;
  setTimeout(() => process.exit(0), 3_000).unref();
  app.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
}
process.on('SIGTERM', close);
process.on('SIGINT', close);
process.stdin.on('end', close);
process.stdin.on('error', close);
process.stdin.resume();
