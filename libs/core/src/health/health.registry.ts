import { Injectable } from '@nestjs/common';

/** A readiness probe: resolves when the dependency answers, rejects (or throws) when it does not. */
export type ReadinessCheck = (signal: AbortSignal) => Promise<void>;

/**
 * Where libs register what `/health/ready` must verify (each upstream, Redis, the IdP...). Keeping
 * the list here lets core own the endpoint without knowing any lib.
 */
@Injectable()
export class HealthRegistry {
  private readonly checks = new Map<string, ReadinessCheck>();
  private draining = false;

  register(name: string, check: ReadinessCheck): void {
    if (this.checks.has(name)) throw new Error(`Readiness check '${name}' is registered twice`);
    this.checks.set(name, check);
  }

  entries(): [string, ReadinessCheck][] {
    return [...this.checks.entries()];
  }

  /** Set on SIGTERM so that the load balancer stops routing here while in-flight requests drain. */
  markDraining(): void {
    this.draining = true;
  }

  isDraining(): boolean {
    return this.draining;
  }
}
