import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import type { Type } from '@nestjs/common';
import { load } from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { MetricsService, type AppDefinition } from '@bff/core';

import { MOBILE_BFF } from '../apps/mobile-bff/src/mobile-bff.definition.js';
import { MobileBffModule } from '../apps/mobile-bff/src/mobile-bff.module.js';
import { PARTNER_BFF } from '../apps/partner-bff/src/partner-bff.definition.js';
import { PartnerBffModule } from '../apps/partner-bff/src/partner-bff.module.js';
import { WEB_BFF } from '../apps/web-bff/src/web-bff.definition.js';
import { WebBffModule } from '../apps/web-bff/src/web-bff.module.js';
import { MOBILE_BFF_AUDIENCE, type Sandbox } from '../sandbox/src/index.ts';
import { partnerClientEnv } from './support/partner-keys.js';
import { startStack, type Stack } from './support/stack.js';
import { WEB_AUTH_OFFLINE_ENV } from './support/web-auth-env.js';

const MONITORING = join(import.meta.dirname, '..', 'deploy', 'monitoring');

/** Series names in a PromQL expression: identifiers followed by a selector or range, minus functions and keywords. */
function seriesOf(expr: string): string[] {
  const names = [...expr.matchAll(/\b([a-zA-Z_:][a-zA-Z0-9_:]*)\s*(?=\{|\[)/g)].map((match) => match[1]);
  return names.filter((name) => !['by', 'without', 'on', 'ignoring', 'group_left', 'group_right'].includes(name));
}

/** A histogram is queried through its _bucket, _count and _sum series. */
function familyOf(series: string, families: ReadonlySet<string>): string {
  if (families.has(series)) return series;
  const base = series.replace(/_(?:bucket|count|sum)$/, '');
  return families.has(base) ? base : series;
}

const APPS: readonly [string, Type, AppDefinition, (sandbox: Sandbox) => Record<string, string>][] = [
  ['web-bff', WebBffModule, WEB_BFF, () => ({ ...WEB_AUTH_OFFLINE_ENV })],
  ['mobile-bff', MobileBffModule, MOBILE_BFF, (sandbox) => ({ JWT_ISSUER: sandbox.idp!.issuer, JWT_AUDIENCE: MOBILE_BFF_AUDIENCE })],
  ['partner-bff', PartnerBffModule, PARTNER_BFF, (sandbox) => partnerClientEnv(sandbox.idp!.issuer)],
];

/** The monitoring assets of deploy/monitoring against the series the three apps really register. */
describe('deploy/monitoring', () => {
  const stacks: Stack[] = [];
  const families = new Set<string>();
  beforeAll(async () => {
    for (const [, module, definition, env] of APPS) {
      const stack = await startStack(module, definition, env);
      stacks.push(stack);
      for (const name of stack.app.get(MetricsService).names()) families.add(name);
    }
  }, 60_000);
  afterAll(async () => {
    for (const stack of stacks) await stack.close();
  });

  it('the dashboard queries only series the apps export, and shows every bff_ and http_ family', () => {
    // Sanity: the three apps' families were read (the JWKS counter exists only in mobile-bff).
    expect(families.has('http_server_request_duration_seconds')).toBe(true);
    expect(families.has('bff_auth_jwks_fetches_total')).toBe(true);
    const dashboard = JSON.parse(readFileSync(join(MONITORING, 'grafana-dashboard.json'), 'utf8')) as {
      panels: { type: string; targets?: { expr: string }[] }[];
    };
    const queried = new Set(
      dashboard.panels.flatMap((panel) =>
        (panel.targets ?? []).flatMap((target) => seriesOf(target.expr).map((s) => familyOf(s, families))),
      ),
    );
    expect([...queried].filter((name) => !families.has(name))).toEqual([]);
    const own = [...families].filter((name) => /^(?:bff_|http_server_)/.test(name));
    expect(own.filter((name) => !queried.has(name))).toEqual([]);
  });

  it('the alert rules query only series the apps export', () => {
    const rules = load(readFileSync(join(MONITORING, 'alerts.rules.yml'), 'utf8')) as { groups: { rules: { expr: string }[] }[] };
    const queried = rules.groups.flatMap((group) => group.rules.flatMap((rule) => seriesOf(rule.expr).map((s) => familyOf(s, families))));
    expect(queried.length).toBeGreaterThanOrEqual(4);
    expect(queried.filter((name) => !families.has(name))).toEqual([]);
  });
});
