import { normalizeIp } from '@nestjs/throttler';

/**
 * The caller's address as Fastify resolved it (`request.ip`, which honours core's proxy settings),
 * IPv6 addresses reduced to their /64 so one host cannot dodge limits by rotating addresses.
 */
export function clientIp(request: unknown): string {
  const ip = (request as { ip?: unknown }).ip;
  return typeof ip === 'string' && ip.length > 0 ? normalizeIp(ip) : 'unknown';
}
