import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import type { IHorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import type { INetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import type { IPodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import type { IConfigMap } from 'kubernetes-models/v1/ConfigMap';
import type { IContainer } from 'kubernetes-models/v1/Container';
import type { IEnvVar } from 'kubernetes-models/v1/EnvVar';
import type { IService } from 'kubernetes-models/v1/Service';
import { describe, expect, it } from 'vitest';

import { ConfigValidationError, CoreEnv, envClass, validateEnvironment } from '@bff/core';

import { WEB_BFF } from '../apps/web-bff/src/web-bff.definition.js';
import {
  checkAppConfig,
  checkPolicies,
  imageReference,
  isCredentialVariable,
  parseQuantity,
  podEnvironment,
  preStopSeconds,
  secretPlaceholder,
  validateSchemas,
  type Manifest,
  type OverlayExpectations,
} from '../scripts/k8s-policy.ts';

// The checks of scripts/check-k8s.mjs (npm run check:k8s) on in-memory manifests: one compliant web-bff as the
// overlays render it, then one broken rule per case, each asserting the finding that names it.

const DEV: OverlayExpectations = { minReplicas: 1 };
const PROD: OverlayExpectations = { minReplicas: 3, pdbMinAvailable: true, tagPattern: /^\d+\.\d+\.\d+$/ };
const SELECTOR = { 'app.kubernetes.io/name': 'web-bff' };

/** A web-bff that passes every rule (what deploy/k8s/overlays/prod renders, trimmed to what the rules read). */
function compliantWebBff() {
  const config: Manifest & IConfigMap = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'web-bff-config-abc123' },
    data: {
      PORT: '3000',
      SHUTDOWN_DRAIN_MS: '10000',
      UPSTREAM_CATALOG_URL: 'http://catalog.retail.svc.cluster.local',
      UPSTREAM_PRICING_URL: 'http://pricing.retail.svc.cluster.local',
      UPSTREAM_INVENTORY_URL: 'http://inventory.retail.svc.cluster.local',
      UPSTREAM_REVIEWS_URL: 'http://reviews.retail.svc.cluster.local',
      UPSTREAM_RECOMMENDATIONS_URL: 'http://recommendations.retail.svc.cluster.local',
      UPSTREAM_CUSTOMERS_URL: 'http://customers.retail.svc.cluster.local',
      UPSTREAM_CARTS_URL: 'http://carts.retail.svc.cluster.local',
      UPSTREAM_ORDERS_URL: 'http://orders.retail.svc.cluster.local',
      OIDC_ISSUER_URL: 'https://login.example.com',
      OIDC_CLIENT_ID: 'web-bff',
      OIDC_REDIRECT_URI: 'https://shop.example.com/auth/callback',
    },
  };
  const container = {
    name: 'web-bff',
    image: 'bff/web-bff:0.1.0',
    ports: [
      { name: 'http', containerPort: 3000, protocol: 'TCP' },
      { name: 'metrics', containerPort: 9464, protocol: 'TCP' },
    ],
    envFrom: [{ configMapRef: { name: 'web-bff-config-abc123' } }],
    env: [
      { name: 'OIDC_CLIENT_SECRET', valueFrom: { secretKeyRef: { name: 'web-bff-secrets', key: 'OIDC_CLIENT_SECRET' } } },
      { name: 'REDIS_URL', valueFrom: { secretKeyRef: { name: 'web-bff-secrets', key: 'REDIS_URL' } } },
    ] as IEnvVar[],
    livenessProbe: { httpGet: { path: '/health/live', port: 'http' } },
    readinessProbe: { httpGet: { path: '/health/ready', port: 'http' } },
    lifecycle: { preStop: { sleep: { seconds: 5 } } },
    resources: { requests: { cpu: '500m', memory: '384Mi' }, limits: { cpu: '1', memory: '768Mi' } },
    securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
  } satisfies IContainer;
  const deployment: Manifest & IDeployment = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web-bff' },
    spec: {
      selector: { matchLabels: SELECTOR },
      template: {
        metadata: { labels: SELECTOR },
        spec: {
          automountServiceAccountToken: false,
          terminationGracePeriodSeconds: 30,
          securityContext: { runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000, seccompProfile: { type: 'RuntimeDefault' } },
          containers: [container],
        },
      },
    },
  };
  const service: Manifest & IService = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'web-bff' },
    spec: { selector: SELECTOR, ports: [{ name: 'http', port: 3000, targetPort: 'http' }] },
  };
  const hpa: Manifest & IHorizontalPodAutoscaler = {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: { name: 'web-bff' },
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web-bff' },
      minReplicas: 3,
      maxReplicas: 12,
      metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } }],
    },
  };
  const pdb: Manifest & IPodDisruptionBudget = {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: { name: 'web-bff' },
    spec: { minAvailable: 2, selector: { matchLabels: SELECTOR } },
  };
  const defaultDeny: Manifest & INetworkPolicy = {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: 'default-deny' },
    spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] },
  };
  const allowDns: Manifest & INetworkPolicy = {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: 'allow-dns' },
    spec: { podSelector: {}, policyTypes: ['Egress'], egress: [{ ports: [{ port: 53, protocol: 'UDP' }] }] },
  };
  const appPolicy: Manifest & INetworkPolicy = {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: 'web-bff' },
    spec: {
      podSelector: { matchLabels: SELECTOR },
      policyTypes: ['Ingress', 'Egress'],
      ingress: [
        { ports: [{ port: 3000, protocol: 'TCP' }] },
        {
          from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } }],
          ports: [{ port: 9464, protocol: 'TCP' }],
        },
      ],
      egress: [{ to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'retail' } } }] }],
    },
  };
  const parts = { config, container, deployment, service, hpa, pdb, defaultDeny, allowDns, appPolicy };
  const objects = (): Manifest[] => [config, deployment, service, hpa, pdb, defaultDeny, allowDns, appPolicy];
  return { ...parts, objects };
}

/** web-bff's boot validation (core + the app's slices), as scripts/check-k8s.mjs runs it on the built app. */
function webBffBootProblems(app: string, env: Record<string, string>): string[] {
  expect(app).toBe('web-bff');
  try {
    validateEnvironment([envClass(CoreEnv, 'core'), ...WEB_BFF.env], env);
    return [];
  } catch (error) {
    if (error instanceof ConfigValidationError) return [...error.problems];
    throw error;
  }
}

describe('k8s policy: the compliant app', () => {
  it('passes the schemas, every policy in dev and prod, and web-bff boot validation', async () => {
    const app = compliantWebBff();
    expect(await validateSchemas(app.objects())).toEqual([]);
    expect(checkPolicies(app.objects(), PROD)).toEqual([]);
    expect(checkPolicies(app.objects(), DEV)).toEqual([]);
    expect(checkAppConfig(app.objects(), webBffBootProblems)).toEqual([]);
  });
});

describe('k8s policy: schemas', () => {
  it('reports a value of the wrong type or format with its path', async () => {
    const app = compliantWebBff();
    app.container.resources.limits.memory = 'plenty';
    const path = 'data/spec/template/spec/containers/0/resources/limits/memory';
    expect(await validateSchemas(app.objects())).toEqual([
      `Deployment/web-bff: schema: ${path} must be number, ${path} must match format "quantity", ${path} must match exactly one schema in "oneOf"`,
    ]);
  });

  it('reports a missing required field', async () => {
    const app = compliantWebBff();
    delete (app.hpa.spec as Partial<NonNullable<IHorizontalPodAutoscaler['spec']>>).maxReplicas;
    expect(await validateSchemas(app.objects())).toEqual([
      'HorizontalPodAutoscaler/web-bff: schema: data/spec must have required property maxReplicas',
    ]);
  });

  it('refuses an object whose kind has no schema', async () => {
    expect(await validateSchemas([{ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' } }])).toEqual([
      'Widget/w: no schema for example.com/v1 Widget',
    ]);
  });
});

describe('k8s policy: images', () => {
  it.each([
    ['bff/web-bff', 'has no tag: pin one through kustomize images:'],
    ['registry.example.com:5000/bff/web-bff', 'has no tag: pin one through kustomize images:'],
    ['bff/web-bff:latest', 'uses the tag latest: pin a version through kustomize images:'],
  ])('refuses %s', (image, message) => {
    const app = compliantWebBff();
    app.container.image = image;
    expect(checkPolicies(app.objects(), DEV)).toEqual([`Deployment/web-bff container web-bff: image "${image}" ${message}`]);
  });

  it('holds prod to a release tag, and accepts a digest', () => {
    const app = compliantWebBff();
    app.container.image = 'bff/web-bff:0.1.0-dev';
    expect(checkPolicies(app.objects(), PROD)).toEqual([
      'Deployment/web-bff container web-bff: image "bff/web-bff:0.1.0-dev": tag 0.1.0-dev does not match /^\\d+\\.\\d+\\.\\d+$/',
    ]);
    app.container.image = `bff/web-bff@sha256:${'a'.repeat(64)}`;
    expect(checkPolicies(app.objects(), PROD)).toEqual([]);
  });

  it('reads tags and digests past a registry port', () => {
    expect(imageReference('registry.example.com:5000/bff/web-bff:1.2.3')).toEqual({ tag: '1.2.3' });
    expect(imageReference('registry.example.com:5000/bff/web-bff')).toEqual({});
    expect(imageReference('bff/web-bff@sha256:abc')).toEqual({ digest: 'sha256:abc' });
  });
});

describe('k8s policy: probes', () => {
  it('requires a readiness probe', () => {
    const app = compliantWebBff();
    delete (app.container as IContainer).readinessProbe;
    expect(checkPolicies(app.objects(), DEV)).toEqual(['Deployment/web-bff container web-bff: no readinessProbe']);
  });

  it('requires liveness on /health/live (never the dependency-checking /health/ready)', () => {
    const app = compliantWebBff();
    app.container.livenessProbe.httpGet.path = '/health/ready';
    expect(checkPolicies(app.objects(), DEV)).toEqual([
      'Deployment/web-bff container web-bff: livenessProbe must GET /health/live (found /health/ready)',
    ]);
  });

  it('requires the probe to hit a port of the container', () => {
    const app = compliantWebBff();
    app.container.readinessProbe.httpGet.port = 'admin';
    expect(checkPolicies(app.objects(), DEV)).toEqual([
      'Deployment/web-bff container web-bff: readinessProbe port admin is not a port of the container',
    ]);
  });
});

describe('k8s policy: resources', () => {
  it('requires requests and limits for CPU and memory', () => {
    const app = compliantWebBff();
    app.container.resources = { requests: { cpu: '500m', memory: '384Mi' } } as typeof app.container.resources;
    expect(checkPolicies(app.objects(), DEV)).toEqual([
      'Deployment/web-bff container web-bff: no limits.cpu',
      'Deployment/web-bff container web-bff: no limits.memory',
    ]);
  });

  it('refuses a request above its limit', () => {
    const app = compliantWebBff();
    app.container.resources.requests.memory = '1Gi';
    expect(checkPolicies(app.objects(), DEV)).toEqual(['Deployment/web-bff container web-bff: memory request exceeds its limit']);
  });

  it('reads Kubernetes quantities', () => {
    expect(parseQuantity('500m')).toBe(0.5);
    expect(parseQuantity('1')).toBe(1);
    expect(parseQuantity('768Mi')).toBe(768 * 2 ** 20);
    expect(parseQuantity('1G')).toBe(1e9);
    expect(parseQuantity(2)).toBe(2);
    expect(parseQuantity('lots')).toBeUndefined();
  });
});

describe('k8s policy: security context', () => {
  type Breach = [string, (container: IContainer, pod: NonNullable<IDeployment['spec']>['template']['spec']) => void, string];
  const breaches: Breach[] = [
    [
      'runAsNonRoot at the container',
      (container) => (container.securityContext = { ...container.securityContext, runAsNonRoot: false }),
      'runAsNonRoot must be true',
    ],
    ['root user', (_container, pod) => (pod!.securityContext!.runAsUser = 0), "runAsUser must be 1000 (the image's user node)"],
    ['no seccomp profile', (_container, pod) => delete pod!.securityContext!.seccompProfile, 'seccompProfile must be RuntimeDefault'],
    [
      'an unconfined seccomp profile',
      (container) => (container.securityContext = { ...container.securityContext, seccompProfile: { type: 'Unconfined' } }),
      'seccompProfile must be RuntimeDefault',
    ],
    [
      'privilege escalation',
      (container) => delete container.securityContext!.allowPrivilegeEscalation,
      'allowPrivilegeEscalation must be false',
    ],
    [
      'a writable root filesystem',
      (container) => (container.securityContext!.readOnlyRootFilesystem = false),
      'readOnlyRootFilesystem must be true',
    ],
    ['kept capabilities', (container) => (container.securityContext!.capabilities = { drop: ['NET_RAW'] }), 'capabilities must drop ALL'],
    [
      'an added capability',
      (container) => (container.securityContext!.capabilities = { drop: ['ALL'], add: ['NET_ADMIN'] }),
      'must not add capabilities (NET_ADMIN)',
    ],
    ['a privileged container', (container) => (container.securityContext!.privileged = true), 'must not be privileged'],
  ];
  it.each(breaches)('refuses %s', (_name, breach, message) => {
    const app = compliantWebBff();
    breach(app.container, app.deployment.spec!.template.spec);
    expect(checkPolicies(app.objects(), DEV)).toEqual([`Deployment/web-bff container web-bff: ${message}`]);
  });

  it('refuses a mounted service-account token and host namespaces', () => {
    const app = compliantWebBff();
    const pod = app.deployment.spec!.template.spec!;
    delete pod.automountServiceAccountToken;
    pod.hostNetwork = true;
    expect(checkPolicies(app.objects(), DEV)).toEqual([
      'Deployment/web-bff: automountServiceAccountToken must be false (the apps never call the API)',
      'Deployment/web-bff: hostNetwork must not be set',
    ]);
  });
});

describe('k8s policy: configuration and credentials', () => {
  it('refuses a literal value in env', () => {
    const app = compliantWebBff();
    app.container.env.push({ name: 'LOG_LEVEL', value: 'debug' });
    expect(checkPolicies(app.objects(), DEV)).toEqual([
      'Deployment/web-bff container web-bff: env LOG_LEVEL is a literal value: read it from a ConfigMap (configMapKeyRef) or a Secret (secretKeyRef)',
    ]);
  });

  it('refuses a plain secret value in env', () => {
    const app = compliantWebBff();
    app.container.env[0] = { name: 'OIDC_CLIENT_SECRET', value: 'hunter22-in-git' };
    expect(checkPolicies(app.objects(), DEV)).toEqual([
      'Deployment/web-bff container web-bff: env OIDC_CLIENT_SECRET is a literal value: read it from a ConfigMap (configMapKeyRef) or a Secret (secretKeyRef)',
    ]);
  });

  it('refuses a credential read from a ConfigMap, and a credential stored in one', () => {
    const app = compliantWebBff();
    app.config.data!.REDIS_URL = 'redis://:password@redis:6379';
    app.container.env[1] = { name: 'REDIS_URL', valueFrom: { configMapKeyRef: { name: 'web-bff-config-abc123', key: 'REDIS_URL' } } };
    expect(checkPolicies(app.objects(), DEV)).toEqual([
      'ConfigMap/web-bff-config-abc123: holds REDIS_URL, a credential: reference it from a Secret instead',
      'Deployment/web-bff container web-bff: env REDIS_URL is a credential: read it from a Secret (secretKeyRef)',
    ]);
  });

  it('refuses a rendered Secret (values would be in git)', () => {
    const app = compliantWebBff();
    const secret: Manifest = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'web-bff-secrets' }, stringData: { REDIS_URL: 'x' } };
    expect(checkPolicies([...app.objects(), secret], DEV)).toEqual([
      'Secret/web-bff-secrets: Secrets are created by the operator (docs/deploy.md), never rendered from git',
    ]);
  });

  it('refuses a PORT the container does not declare', () => {
    const app = compliantWebBff();
    app.config.data!.PORT = '3005';
    expect(checkPolicies(app.objects(), DEV)).toEqual([
      'Deployment/web-bff container web-bff: listens on PORT 3005 but declares containerPort 3000, 9464',
    ]);
  });

  it('names a ConfigMap that is not rendered', () => {
    const app = compliantWebBff();
    app.container.envFrom[0].configMapRef.name = 'web-bff-settings';
    expect(checkPolicies(app.objects(), DEV)).toContain(
      'Deployment/web-bff container web-bff: envFrom names ConfigMap web-bff-settings, which is not rendered',
    );
  });

  it('classifies the credentials of every app, and only those', () => {
    const credentials = ['OIDC_CLIENT_SECRET', 'UPSTREAM_AUTH_CLIENT_SECRET', 'PARTNER_API_KEYS', 'REDIS_URL'];
    expect(credentials.filter(isCredentialVariable)).toEqual(credentials);
    expect(
      ['OIDC_CLIENT_ID', 'UPSTREAM_AUTH_CLIENT_ID', 'PARTNER_KEY_CACHE_MS', 'AUTH_REDIS_PREFIX', 'CACHE_REDIS_KEY_PREFIX'].filter(
        isCredentialVariable,
      ),
    ).toEqual([]);
    const app = compliantWebBff();
    for (const name of credentials) app.config.data![name] = 'x';
    expect(checkPolicies(app.objects(), DEV).filter((finding) => finding.includes('a credential'))).toEqual(
      credentials.map((name) => `ConfigMap/web-bff-config-abc123: holds ${name}, a credential: reference it from a Secret instead`),
    );
  });
});

describe('k8s policy: the app configuration boots', () => {
  it('reports what web-bff would refuse at startup', () => {
    const app = compliantWebBff();
    delete app.config.data!.UPSTREAM_CUSTOMERS_URL;
    app.config.data!.OIDC_REDIRECT_URI = 'http://shop.example.com/auth/callback';
    expect(checkAppConfig(app.objects(), webBffBootProblems)).toEqual([
      'Deployment/web-bff: the app would refuse to boot: [upstream] UPSTREAM_CUSTOMERS_URL is required (base URL of the customers service)',
      'Deployment/web-bff: the app would refuse to boot: [auth (session)] OIDC_REDIRECT_URI must be an absolute https URL (http only on localhost/127.0.0.1) registered at the OpenID provider',
    ]);
  });

  it('needs the Secret reference for a required credential', () => {
    const app = compliantWebBff();
    app.container.env = app.container.env.filter((entry) => entry.name !== 'OIDC_CLIENT_SECRET');
    expect(checkAppConfig(app.objects(), webBffBootProblems)).toEqual([
      'Deployment/web-bff: the app would refuse to boot: [auth (session)] OIDC_CLIENT_SECRET must be at least 8 characters',
      'Deployment/web-bff: the app would refuse to boot: [auth (session)] OIDC_CLIENT_SECRET is required (the confidential client secret)',
    ]);
  });

  it('builds the pod environment from the image, the ConfigMap and placeholders for the Secret keys', () => {
    const app = compliantWebBff();
    const { env, problems } = podEnvironment(app.container, app.objects(), secretPlaceholder);
    expect(problems).toEqual([]);
    expect(env).toMatchObject({
      NODE_ENV: 'production',
      HOST: '0.0.0.0',
      PORT: '3000',
      OIDC_CLIENT_ID: 'web-bff',
      OIDC_CLIENT_SECRET: 'placeholder-credential',
      REDIS_URL: 'redis://:placeholder@redis.redis.svc.cluster.local:6379',
    });
  });
});

describe('k8s policy: shutdown timing', () => {
  it('requires a preStop sleep', () => {
    const app = compliantWebBff();
    delete (app.container as IContainer).lifecycle;
    expect(checkPolicies(app.objects(), DEV)).toEqual([
      'Deployment/web-bff container web-bff: no preStop sleep (traffic must stop reaching the pod before SIGTERM starts the drain)',
    ]);
  });

  it('requires the grace period to outlast preStop + SHUTDOWN_DELAY_MS + SHUTDOWN_DRAIN_MS, read from the ConfigMap', () => {
    const app = compliantWebBff();
    app.deployment.spec!.template.spec!.terminationGracePeriodSeconds = 15;
    expect(checkPolicies(app.objects(), DEV)).toEqual([
      'Deployment/web-bff: terminationGracePeriodSeconds 15 must exceed preStop 5 s + SHUTDOWN_DRAIN_MS 10 s',
    ]);
    app.deployment.spec!.template.spec!.terminationGracePeriodSeconds = 30;
    app.config.data!.SHUTDOWN_DRAIN_MS = '30000';
    expect(checkPolicies(app.objects(), DEV)).toEqual([
      'Deployment/web-bff: terminationGracePeriodSeconds 30 must exceed preStop 5 s + SHUTDOWN_DRAIN_MS 30 s',
    ]);
    // A delay before the listener closes (SHUTDOWN_DELAY_MS) adds to the time the pod needs.
    app.config.data!.SHUTDOWN_DRAIN_MS = '10000';
    app.config.data!.SHUTDOWN_DELAY_MS = '15000';
    expect(checkPolicies(app.objects(), DEV)).toEqual([
      'Deployment/web-bff: terminationGracePeriodSeconds 30 must exceed preStop 5 s + SHUTDOWN_DELAY_MS 15 s + SHUTDOWN_DRAIN_MS 10 s',
    ]);
  });

  it('reads the sleep action and an exec of sleep', () => {
    expect(preStopSeconds({ name: 'a', lifecycle: { preStop: { sleep: { seconds: 7 } } } })).toBe(7);
    expect(preStopSeconds({ name: 'a', lifecycle: { preStop: { exec: { command: ['/bin/sleep', '4'] } } } })).toBe(4);
    expect(preStopSeconds({ name: 'a', lifecycle: { preStop: { exec: { command: ['/bin/true'] } } } })).toBeUndefined();
  });
});

describe('k8s policy: scaling and disruption', () => {
  it('requires an autoscaler per Deployment', () => {
    const app = compliantWebBff();
    expect(
      checkPolicies(
        app.objects().filter((object) => object !== app.hpa),
        DEV,
      ),
    ).toEqual(['Deployment/web-bff: needs exactly one HorizontalPodAutoscaler (found 0)']);
  });

  it('refuses replicas on an autoscaled Deployment, a missing CPU metric and a low minimum', () => {
    const app = compliantWebBff();
    app.deployment.spec!.replicas = 3;
    app.hpa.spec.metrics = [];
    app.hpa.spec.minReplicas = 1;
    app.pdb.spec = { maxUnavailable: 1, selector: { matchLabels: SELECTOR } };
    expect(checkPolicies(app.objects(), PROD)).toEqual([
      'HorizontalPodAutoscaler/web-bff: needs a CPU resource metric',
      'HorizontalPodAutoscaler/web-bff: minReplicas 1 is below 3',
      'Deployment/web-bff: sets replicas while HorizontalPodAutoscaler/web-bff scales it (every apply would reset the count): leave replicas out',
      'PodDisruptionBudget/web-bff: must set minAvailable',
    ]);
  });

  it('requires autoscaling/v2', () => {
    const app = compliantWebBff();
    (app.hpa as Manifest).apiVersion = 'autoscaling/v1';
    expect(checkPolicies(app.objects(), DEV)).toEqual(['HorizontalPodAutoscaler/web-bff: must be autoscaling/v2 (is autoscaling/v1)']);
  });

  it('requires a disruption budget selecting the pods', () => {
    const app = compliantWebBff();
    app.pdb.spec!.selector = { matchLabels: { 'app.kubernetes.io/name': 'mobile-bff' } };
    expect(checkPolicies(app.objects(), DEV)).toEqual([
      'Deployment/web-bff: needs exactly one PodDisruptionBudget selecting its pods (found 0)',
    ]);
  });

  it('refuses a budget that blocks every drain', () => {
    const app = compliantWebBff();
    app.pdb.spec!.minAvailable = 3;
    expect(checkPolicies(app.objects(), PROD)).toEqual([
      'PodDisruptionBudget/web-bff: minAvailable 3 leaves no disruption allowed at 3 replicas (node drains would block)',
    ]);
    app.pdb.spec = { maxUnavailable: 0, selector: { matchLabels: SELECTOR } };
    expect(checkPolicies(app.objects(), DEV)).toEqual(['PodDisruptionBudget/web-bff: maxUnavailable 0 blocks every node drain']);
  });
});

describe('k8s policy: Service and NetworkPolicy', () => {
  it('requires a Service that reaches the container port', () => {
    const app = compliantWebBff();
    app.service.spec!.ports![0].targetPort = 8080;
    expect(checkPolicies(app.objects(), DEV)).toEqual(['Service/web-bff: no port targets a container port of Deployment/web-bff']);
    app.service.spec!.selector = { 'app.kubernetes.io/name': 'web' };
    expect(checkPolicies(app.objects(), DEV)).toEqual(['Deployment/web-bff: needs exactly one Service selecting its pods (found 0)']);
  });

  it('requires a default deny', () => {
    const app = compliantWebBff();
    app.defaultDeny.spec!.policyTypes = ['Ingress'];
    expect(checkPolicies(app.objects(), DEV)).toEqual([
      'no default-deny NetworkPolicy (podSelector {}, policyTypes Ingress and Egress, no rules)',
    ]);
  });

  it('requires ingress on the app port and DNS egress', () => {
    const app = compliantWebBff();
    app.appPolicy.spec!.ingress = [{ ports: [{ port: 8080, protocol: 'TCP' }] }];
    app.allowDns.spec!.egress = [];
    expect(checkPolicies(app.objects(), DEV)).toEqual([
      'Deployment/web-bff: no NetworkPolicy admits ingress on port 3000',
      'Deployment/web-bff: no NetworkPolicy admits ingress on port 9464',
      'Deployment/web-bff: no NetworkPolicy lets its pods reach DNS (port 53)',
    ]);
  });
});

describe('k8s policy: management port', () => {
  it('requires a metrics container port', () => {
    const app = compliantWebBff();
    app.container.ports = app.container.ports.filter((port) => port.name !== 'metrics');
    expect(checkPolicies(app.objects(), DEV)).toEqual([
      'Deployment/web-bff: no container port named metrics (the management port, METRICS_PORT)',
    ]);
  });

  it('refuses a metrics port that any peer may reach', () => {
    const app = compliantWebBff();
    app.appPolicy.spec!.ingress = [
      {
        ports: [
          { port: 3000, protocol: 'TCP' },
          { port: 9464, protocol: 'TCP' },
        ],
      },
    ];
    expect(checkPolicies(app.objects(), DEV)).toEqual([
      'Deployment/web-bff: a NetworkPolicy admits the metrics port from anywhere: admit only the scraper (from)',
    ]);
  });
});
