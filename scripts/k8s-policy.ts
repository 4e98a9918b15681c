/**
 * Checks of the rendered Kubernetes manifests (deploy/k8s), shared by scripts/check-k8s.mjs and
 * test/k8s-policy.spec.ts. Everything here works on plain objects, so the tests feed it broken
 * manifests without kubectl.
 *
 * - `validateSchemas`: every object against the Kubernetes JSON schemas shipped by kubernetes-models.
 * - `checkPolicies`: the house rules of docs/deploy.md (pinned images, probes, resources, security
 *   context, no literal or misplaced credentials, shutdown timing, one Service, HPA, PDB and
 *   NetworkPolicy per Deployment).
 * - `podEnvironment`: the environment a Deployment's container boots with, for the app's own config
 *   validation (scripts/check-k8s.mjs runs it through the built app's env schemas).
 *
 * Each finding is one line naming the object (`Deployment/web-bff container web-bff: ...`).
 */
import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import type { IHorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import type { INetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import type { IPodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import type { IConfigMap } from 'kubernetes-models/v1/ConfigMap';
import type { IContainer } from 'kubernetes-models/v1/Container';
import type { IPodSpec } from 'kubernetes-models/v1/PodSpec';
import type { IService } from 'kubernetes-models/v1/Service';

/** Any Kubernetes object as rendered by kustomize. */
export interface Manifest {
  apiVersion: string;
  kind: string;
  metadata?: { name?: string; namespace?: string; labels?: Record<string, string> };
  [field: string]: unknown;
}

/** What one overlay must guarantee beyond the rules every overlay follows. */
export interface OverlayExpectations {
  /** Lowest HorizontalPodAutoscaler minReplicas allowed. */
  readonly minReplicas: number;
  /** The PodDisruptionBudget must state minAvailable (rather than maxUnavailable). */
  readonly pdbMinAvailable?: boolean;
  /** Image tags must match this (e.g. a release version); never `latest` whatever it says. */
  readonly tagPattern?: RegExp;
}

/** The image's `USER node`: uid 1000 in node:24-slim (the Dockerfile's runtime stage). */
export const IMAGE_USER_ID = 1000;

/** Environment the image itself sets (Dockerfile `ENV`); PORT is a build argument, so the ConfigMap states it. */
export const IMAGE_ENV: Readonly<Record<string, string>> = { NODE_ENV: 'production', HOST: '0.0.0.0' };

/** libs/core's default when SHUTDOWN_DRAIN_MS is unset. */
export const DEFAULT_SHUTDOWN_DRAIN_MS = 10_000;

/** Kubernetes' default when a pod does not set terminationGracePeriodSeconds. */
const DEFAULT_GRACE_SECONDS = 30;

const LIVENESS_PATH = '/health/live';
const READINESS_PATH = '/health/ready';

/**
 * Variables that carry a credential: they must come from a Secret (secretKeyRef) and never sit in a
 * ConfigMap. REDIS_URL is one because it carries the Redis password; PARTNER_API_KEYS because it is
 * the partner key registry (hashes bound to partners and accounts).
 */
export function isCredentialVariable(name: string): boolean {
  return name === 'REDIS_URL' || /(?:SECRET|PASSWORD|TOKEN|PRIVATE_KEY|API_KEYS?|CREDENTIALS?)$/.test(name);
}

const nameOf = (object: Manifest): string => `${object.kind}/${object.metadata?.name ?? '<unnamed>'}`;
const ofKind = <T>(objects: readonly Manifest[], kind: string): (Manifest & T)[] =>
  objects.filter((object) => object.kind === kind) as (Manifest & T)[];

/** True when every label of `selector` is on `labels` (an empty or missing selector selects nothing here). */
function matches(selector: Record<string, string> | undefined, labels: Record<string, string> | undefined): boolean {
  const entries = Object.entries(selector ?? {});
  return entries.length > 0 && entries.every(([key, value]) => labels?.[key] === value);
}

/** `registry/name:tag`, `name@sha256:...`: the tag (or digest) or undefined when there is none. */
export function imageReference(image: string): { tag?: string; digest?: string } {
  const at = image.indexOf('@');
  if (at >= 0) return { digest: image.slice(at + 1) };
  const lastSlash = image.lastIndexOf('/');
  const colon = image.indexOf(':', lastSlash + 1);
  return colon >= 0 ? { tag: image.slice(colon + 1) } : {};
}

const QUANTITY_FACTORS: Record<string, number> = {
  '': 1,
  m: 1e-3,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
};

/** A resource quantity ('500m', '768Mi', '1', 2) as a number, or undefined when it is not one this module reads. */
export function parseQuantity(quantity: string | number | undefined): number | undefined {
  if (typeof quantity === 'number') return quantity;
  const match = /^(\d+(?:\.\d+)?)(m|k|M|G|T|Ki|Mi|Gi|Ti)?$/.exec(quantity ?? '');
  return match ? Number(match[1]) * QUANTITY_FACTORS[match[2] ?? ''] : undefined;
}

/** Seconds the container's preStop hook waits (the `sleep` action, or an exec of `sleep N`); undefined without one. */
export function preStopSeconds(container: IContainer): number | undefined {
  const preStop = container.lifecycle?.preStop;
  if (preStop?.sleep) return preStop.sleep.seconds;
  const command = preStop?.exec?.command ?? [];
  const sleepAt = command.findIndex((part) => /(?:^|\/)sleep$/.test(part));
  const seconds = sleepAt >= 0 ? Number(command[sleepAt + 1]) : NaN;
  return Number.isFinite(seconds) ? seconds : undefined;
}

/**
 * The environment `container` boots with: the image's own ENV, then the ConfigMaps of `envFrom`, then
 * `env` entries. A ConfigMap value is read from `objects`; a Secret value is not in git, so
 * `secretPlaceholder(variable)` stands in for it. Returns the problems found on the way (a missing
 * ConfigMap or key).
 */
export function podEnvironment(
  container: IContainer,
  objects: readonly Manifest[],
  secretPlaceholder: (variable: string) => string,
): { env: Record<string, string>; problems: string[] } {
  const env: Record<string, string> = { ...IMAGE_ENV };
  const problems: string[] = [];
  const configMap = (name: string): (Manifest & IConfigMap) | undefined =>
    ofKind<IConfigMap>(objects, 'ConfigMap').find((object) => object.metadata?.name === name);
  for (const source of container.envFrom ?? []) {
    if (source.configMapRef) {
      const found = configMap(source.configMapRef.name ?? '');
      if (found) Object.assign(env, found.data ?? {});
      else if (!source.configMapRef.optional) problems.push(`envFrom names ConfigMap ${source.configMapRef.name}, which is not rendered`);
    }
  }
  for (const entry of container.env ?? []) {
    const configMapKey = entry.valueFrom?.configMapKeyRef;
    const secretKey = entry.valueFrom?.secretKeyRef;
    if (entry.value !== undefined) env[entry.name] = entry.value;
    else if (secretKey) env[entry.name] = secretPlaceholder(entry.name);
    else if (configMapKey) {
      const value = configMap(configMapKey.name ?? '')?.data?.[configMapKey.key];
      if (value !== undefined) env[entry.name] = value;
      else if (!configMapKey.optional) problems.push(`${entry.name} reads ${configMapKey.name}/${configMapKey.key}, which is not rendered`);
    }
  }
  return { env, problems };
}

/** Stand-ins for Secret values (never in git), shaped like the real ones so that the apps' validation accepts them. */
const SECRET_PLACEHOLDERS: Readonly<Record<string, string>> = {
  REDIS_URL: 'redis://:placeholder@redis.redis.svc.cluster.local:6379',
  PARTNER_API_KEYS: '[]',
};
export const secretPlaceholder = (variable: string): string => SECRET_PLACEHOLDERS[variable] ?? 'placeholder-credential';

/**
 * Runs each Deployment's boot-time config validation on the environment its containers get
 * (`podEnvironment`, Secret keys replaced by placeholders). `validate(app, env)` returns the app's
 * problems with that environment (its env schemas, as at startup); the app is the Deployment's name.
 */
export function checkAppConfig(objects: readonly Manifest[], validate: (app: string, env: Record<string, string>) => string[]): string[] {
  const findings: string[] = [];
  for (const deployment of ofKind<IDeployment>(objects, 'Deployment')) {
    const app = deployment.metadata?.name ?? '<unnamed>';
    for (const container of deployment.spec?.template.spec?.containers ?? []) {
      // A ConfigMap or key that is not rendered is reported by checkPolicies; here it shows as missing variables.
      const { env } = podEnvironment(container, objects, secretPlaceholder);
      findings.push(...validate(app, env).map((problem) => `Deployment/${app}: the app would refuse to boot: ${problem}`));
    }
  }
  return findings;
}

/**
 * Validates each object against the JSON schema of its apiVersion and kind (kubernetes-models).
 * An object whose kind has no schema there is a finding too: nothing unvalidated gets through.
 */
export async function validateSchemas(objects: readonly Manifest[]): Promise<string[]> {
  const findings: string[] = [];
  for (const object of objects) {
    const [group, version] = object.apiVersion.includes('/') ? object.apiVersion.split('/') : ['', object.apiVersion];
    const modulePath = `kubernetes-models/${group ? `${group}/` : ''}${version}/${object.kind}`;
    let model: new (data: unknown) => { validate(): void };
    try {
      model = ((await import(modulePath)) as Record<string, new (data: unknown) => { validate(): void }>)[object.kind];
    } catch {
      findings.push(`${nameOf(object)}: no schema for ${object.apiVersion} ${object.kind}`);
      continue;
    }
    try {
      new model(object).validate();
    } catch (error) {
      findings.push(`${nameOf(object)}: schema: ${(error as Error).message}`);
    }
  }
  return findings;
}

/** Every house rule over one rendered overlay; an empty list means it passes. */
export function checkPolicies(objects: readonly Manifest[], expectations: OverlayExpectations): string[] {
  const findings: string[] = [];
  const deployments = ofKind<IDeployment>(objects, 'Deployment');
  if (deployments.length === 0) findings.push('no Deployment rendered');

  for (const secret of ofKind<Manifest>(objects, 'Secret')) {
    findings.push(`${nameOf(secret)}: Secrets are created by the operator (docs/deploy.md), never rendered from git`);
  }
  for (const configMap of ofKind<IConfigMap>(objects, 'ConfigMap')) {
    for (const key of Object.keys({ ...configMap.data, ...configMap.binaryData })) {
      if (isCredentialVariable(key)) findings.push(`${nameOf(configMap)}: holds ${key}, a credential: reference it from a Secret instead`);
    }
  }
  if (!ofKind<INetworkPolicy>(objects, 'NetworkPolicy').some(isDefaultDeny)) {
    findings.push('no default-deny NetworkPolicy (podSelector {}, policyTypes Ingress and Egress, no rules)');
  }

  for (const deployment of deployments) findings.push(...checkDeployment(deployment, objects, expectations));
  return findings;
}

function isDefaultDeny(policy: INetworkPolicy): boolean {
  const spec = policy.spec;
  return (
    spec !== undefined &&
    Object.keys(spec.podSelector?.matchLabels ?? {}).length === 0 &&
    (spec.podSelector?.matchExpressions ?? []).length === 0 &&
    (['Ingress', 'Egress'] as const).every((type) => spec.policyTypes?.includes(type)) &&
    (spec.ingress ?? []).length === 0 &&
    (spec.egress ?? []).length === 0
  );
}

function checkDeployment(deployment: Manifest & IDeployment, objects: readonly Manifest[], expectations: OverlayExpectations): string[] {
  const findings: string[] = [];
  const where = nameOf(deployment);
  const podLabels = deployment.spec?.template.metadata?.labels;
  const pod: IPodSpec | undefined = deployment.spec?.template.spec;
  if (!pod) return [`${where}: no pod template`];

  if (pod.automountServiceAccountToken !== false)
    findings.push(`${where}: automountServiceAccountToken must be false (the apps never call the API)`);
  for (const hostField of ['hostNetwork', 'hostPID', 'hostIPC'] as const) {
    if (pod[hostField]) findings.push(`${where}: ${hostField} must not be set`);
  }

  const containerPorts = pod.containers.flatMap((container) => container.ports ?? []);
  for (const container of [...(pod.initContainers ?? []), ...pod.containers]) {
    findings.push(...checkContainer(container, pod, `${where} container ${container.name}`, expectations));
  }

  // Shutdown: the preStop pause, then SHUTDOWN_DELAY_MS of serving and SHUTDOWN_DRAIN_MS of draining, must all fit in the grace period.
  const grace = pod.terminationGracePeriodSeconds ?? DEFAULT_GRACE_SECONDS;
  for (const container of pod.containers) {
    const pause = preStopSeconds(container);
    const { env, problems } = podEnvironment(container, objects, () => 'secret');
    findings.push(...problems.map((problem) => `${where} container ${container.name}: ${problem}`));
    const drainMs = env.SHUTDOWN_DRAIN_MS === undefined ? DEFAULT_SHUTDOWN_DRAIN_MS : Number(env.SHUTDOWN_DRAIN_MS);
    const delayMs = env.SHUTDOWN_DELAY_MS === undefined ? 0 : Number(env.SHUTDOWN_DELAY_MS);
    if (pause !== undefined && !(grace > pause + (delayMs + drainMs) / 1000)) {
      const delay = delayMs > 0 ? ` + SHUTDOWN_DELAY_MS ${delayMs / 1000} s` : '';
      findings.push(
        `${where}: terminationGracePeriodSeconds ${grace} must exceed preStop ${pause} s${delay} + SHUTDOWN_DRAIN_MS ${drainMs / 1000} s`,
      );
    }
    const ports = (container.ports ?? []).map((port) => port.containerPort);
    if (env.PORT !== undefined && !ports.includes(Number(env.PORT))) {
      findings.push(
        `${where} container ${container.name}: listens on PORT ${env.PORT} but declares containerPort ${ports.join(', ') || 'none'}`,
      );
    }
  }

  const hpas = ofKind<IHorizontalPodAutoscaler>(objects, 'HorizontalPodAutoscaler').filter(
    (hpa) => hpa.spec?.scaleTargetRef.kind === 'Deployment' && hpa.spec.scaleTargetRef.name === deployment.metadata?.name,
  );
  if (hpas.length !== 1) findings.push(`${where}: needs exactly one HorizontalPodAutoscaler (found ${hpas.length})`);
  const hpa = hpas[0];
  if (hpa) {
    // Filtered by kind only, so an autoscaling/v1 object can be here despite the type.
    const apiVersion: string = hpa.apiVersion;
    if (apiVersion !== 'autoscaling/v2') findings.push(`${nameOf(hpa)}: must be autoscaling/v2 (is ${apiVersion})`);
    const cpu = hpa.spec?.metrics?.some((metric) => metric.type === 'Resource' && metric.resource?.name === 'cpu');
    if (!cpu) findings.push(`${nameOf(hpa)}: needs a CPU resource metric`);
    const min = hpa.spec?.minReplicas ?? 1;
    if (min < expectations.minReplicas) findings.push(`${nameOf(hpa)}: minReplicas ${min} is below ${expectations.minReplicas}`);
    if (deployment.spec?.replicas !== undefined) {
      findings.push(`${where}: sets replicas while ${nameOf(hpa)} scales it (every apply would reset the count): leave replicas out`);
    }
  }

  const pdbs = ofKind<IPodDisruptionBudget>(objects, 'PodDisruptionBudget').filter((pdb) =>
    matches(pdb.spec?.selector?.matchLabels, podLabels),
  );
  if (pdbs.length !== 1) findings.push(`${where}: needs exactly one PodDisruptionBudget selecting its pods (found ${pdbs.length})`);
  const pdb = pdbs[0];
  if (pdb) {
    const { minAvailable, maxUnavailable } = pdb.spec ?? {};
    if (expectations.pdbMinAvailable && minAvailable === undefined) findings.push(`${nameOf(pdb)}: must set minAvailable`);
    const minReplicas = hpa?.spec?.minReplicas ?? 1;
    if (hpa && typeof minAvailable === 'number' && minAvailable >= minReplicas) {
      findings.push(
        `${nameOf(pdb)}: minAvailable ${minAvailable} leaves no disruption allowed at ${minReplicas} replicas (node drains would block)`,
      );
    }
    if (maxUnavailable === 0 || maxUnavailable === '0%') findings.push(`${nameOf(pdb)}: maxUnavailable 0 blocks every node drain`);
  }

  const services = ofKind<IService>(objects, 'Service').filter((service) => matches(service.spec?.selector, podLabels));
  if (services.length !== 1) findings.push(`${where}: needs exactly one Service selecting its pods (found ${services.length})`);
  for (const service of services) {
    const reachesPod = (service.spec?.ports ?? []).some((port) =>
      containerPorts.some((containerPort) => port.targetPort === containerPort.name || port.targetPort === containerPort.containerPort),
    );
    if (!reachesPod) findings.push(`${nameOf(service)}: no port targets a container port of ${where}`);
  }

  const policies = ofKind<INetworkPolicy>(objects, 'NetworkPolicy').filter(
    (policy) => matches(policy.spec?.podSelector?.matchLabels, podLabels) || isEmptySelector(policy),
  );
  const admitsPort = (port: number): boolean =>
    policies.some((policy) => (policy.spec?.ingress ?? []).some((rule) => (rule.ports ?? []).some((allowed) => allowed.port === port)));
  for (const port of containerPorts) {
    if (!admitsPort(port.containerPort)) findings.push(`${where}: no NetworkPolicy admits ingress on port ${port.containerPort}`);
  }
  // The management port (metrics) is its own port, and only the scraper may reach it.
  const metricsPort = containerPorts.find((port) => port.name === 'metrics');
  if (!metricsPort) findings.push(`${where}: no container port named metrics (the management port, METRICS_PORT)`);
  else {
    if (containerPorts.some((port) => port.name === 'http' && port.containerPort === metricsPort.containerPort)) {
      findings.push(`${where}: the metrics port ${metricsPort.containerPort} is the public http port`);
    }
    const openToAll = policies.some((policy) =>
      (policy.spec?.ingress ?? []).some(
        (rule) =>
          !rule.from?.length &&
          (rule.ports ?? []).some((allowed) => allowed.port === metricsPort.containerPort || allowed.port === 'metrics'),
      ),
    );
    if (openToAll) findings.push(`${where}: a NetworkPolicy admits the metrics port from anywhere: admit only the scraper (from)`);
  }
  const resolvesNames = policies.some((policy) =>
    (policy.spec?.egress ?? []).some((rule) => (rule.ports ?? []).some((allowed) => allowed.port === 53)),
  );
  if (!resolvesNames) findings.push(`${where}: no NetworkPolicy lets its pods reach DNS (port 53)`);
  return findings;
}

function isEmptySelector(policy: INetworkPolicy): boolean {
  const selector = policy.spec?.podSelector;
  return Object.keys(selector?.matchLabels ?? {}).length === 0 && (selector?.matchExpressions ?? []).length === 0;
}

function checkContainer(container: IContainer, pod: IPodSpec, where: string, expectations: OverlayExpectations): string[] {
  const findings: string[] = [];
  const isInit = (pod.initContainers ?? []).includes(container);

  const image = container.image ?? '';
  const { tag, digest } = imageReference(image);
  if (!tag && !digest) findings.push(`${where}: image "${image}" has no tag: pin one through kustomize images:`);
  else if (tag === 'latest') findings.push(`${where}: image "${image}" uses the tag latest: pin a version through kustomize images:`);
  else if (tag && expectations.tagPattern && !expectations.tagPattern.test(tag)) {
    findings.push(`${where}: image "${image}": tag ${tag} does not match ${String(expectations.tagPattern)}`);
  }

  if (!isInit) {
    const probes = [
      ['livenessProbe', LIVENESS_PATH],
      ['readinessProbe', READINESS_PATH],
    ] as const;
    for (const [probe, path] of probes) {
      const httpGet = container[probe]?.httpGet;
      if (!container[probe]) findings.push(`${where}: no ${probe}`);
      else if (httpGet?.path !== path) findings.push(`${where}: ${probe} must GET ${path} (found ${httpGet?.path ?? 'no httpGet'})`);
      else if (!(container.ports ?? []).some((port) => port.name === httpGet.port || port.containerPort === httpGet.port)) {
        findings.push(`${where}: ${probe} port ${httpGet.port} is not a port of the container`);
      }
    }
    if (preStopSeconds(container) === undefined) {
      findings.push(`${where}: no preStop sleep (traffic must stop reaching the pod before SIGTERM starts the drain)`);
    }
  }

  const resources = container.resources;
  for (const kind of ['requests', 'limits'] as const) {
    for (const resource of ['cpu', 'memory']) {
      if (resources?.[kind]?.[resource] === undefined) findings.push(`${where}: no ${kind}.${resource}`);
    }
  }
  for (const resource of ['cpu', 'memory']) {
    const request = parseQuantity(resources?.requests?.[resource]);
    const limit = parseQuantity(resources?.limits?.[resource]);
    if (request !== undefined && limit !== undefined && request > limit) findings.push(`${where}: ${resource} request exceeds its limit`);
  }

  // The container's securityContext overrides the pod's for the fields both have.
  const security = { ...pod.securityContext, ...container.securityContext };
  if (security.runAsNonRoot !== true) findings.push(`${where}: runAsNonRoot must be true`);
  if (security.runAsUser !== IMAGE_USER_ID) findings.push(`${where}: runAsUser must be ${IMAGE_USER_ID} (the image's user node)`);
  if (security.seccompProfile?.type !== 'RuntimeDefault') findings.push(`${where}: seccompProfile must be RuntimeDefault`);
  const own = container.securityContext;
  if (own?.allowPrivilegeEscalation !== false) findings.push(`${where}: allowPrivilegeEscalation must be false`);
  if (own?.readOnlyRootFilesystem !== true) findings.push(`${where}: readOnlyRootFilesystem must be true`);
  if (own?.privileged === true) findings.push(`${where}: must not be privileged`);
  if (!own?.capabilities?.drop?.includes('ALL')) findings.push(`${where}: capabilities must drop ALL`);
  if ((own?.capabilities?.add ?? []).length > 0)
    findings.push(`${where}: must not add capabilities (${own?.capabilities?.add?.join(', ')})`);

  for (const entry of container.env ?? []) {
    const from = entry.valueFrom;
    if (entry.value !== undefined) {
      findings.push(
        `${where}: env ${entry.name} is a literal value: read it from a ConfigMap (configMapKeyRef) or a Secret (secretKeyRef)`,
      );
    } else if (!from?.secretKeyRef && !from?.configMapKeyRef) {
      findings.push(`${where}: env ${entry.name} must come from a secretKeyRef or configMapKeyRef`);
    } else if (isCredentialVariable(entry.name) && !from.secretKeyRef) {
      findings.push(`${where}: env ${entry.name} is a credential: read it from a Secret (secretKeyRef)`);
    }
  }
  return findings;
}
