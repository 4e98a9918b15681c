/**
 * Drives the sandbox IdP's server-rendered forms over plain HTTP like a browser would: follows
 * redirects, keeps cookies (with SameSite rules, see CookieJar), fills the login form, accepts
 * (or denies) consent, confirms logout. Used by the sandbox tests, the BFF e2e suites and anyone
 * who needs a real authorization code or a real BFF session in a test.
 */
import { CookieJar } from './cookie-jar.ts';

export interface BrowseStep {
  readonly method: string;
  readonly url: string;
  readonly status: number;
  readonly crossSite: boolean;
}

export interface BrowseOptions {
  /** First URL (a GET top-level navigation). */
  readonly start: string | URL;
  readonly cookieJar?: CookieJar;
  /** Origin of the page that started the navigation. Default: the start URL's origin (same-site). */
  readonly initiatorOrigin?: string;
  /** Stops before requesting a URL starting with this prefix (e.g. a native app's redirect URI). */
  readonly stopBefore?: string | ((url: URL) => boolean);
  /** Requests a matching URL, then stops and returns its response (e.g. the BFF's /auth/callback). */
  readonly stopAfter?: string | ((url: URL) => boolean);
  /** Fills the fields of a form before it is submitted; return false to refuse submitting it. */
  readonly fill?: (form: HtmlForm, page: URL) => boolean;
  /** Chooses which form of a page to submit. Default: the first POST form. */
  readonly chooseForm?: (forms: readonly HtmlForm[], page: URL) => HtmlForm | undefined;
  /** Extra headers sent with every request. */
  readonly headers?: Readonly<Record<string, string>>;
  /** Default 25. */
  readonly maxSteps?: number;
}

export interface BrowseResult {
  /** The URL it stopped at (not requested when it stopped before it). */
  readonly url: URL;
  /** The last response (undefined when it stopped before requesting `url`). */
  readonly response: Response | undefined;
  readonly cookieJar: CookieJar;
  readonly steps: readonly BrowseStep[];
}

export interface HtmlForm {
  readonly action: string;
  readonly method: string;
  /** Field values that will be submitted (hidden inputs, pre-filled values); fill() may change them. */
  readonly fields: Map<string, string>;
  /** Names of the inputs, with their type. */
  readonly inputs: ReadonlyMap<string, string>;
  /** The first named submit button, sent as a browser would when it is clicked. */
  readonly submitter: { name: string; value: string } | undefined;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'", apos: "'" };

function decodeEntities(value: string): string {
  return value.replace(/&(amp|lt|gt|quot|#39|apos);/g, (_m, e: string) => ENTITIES[e] ?? _m);
}

function attributesOf(tag: string): Map<string, string> {
  const attributes = new Map<string, string>();
  for (const m of tag.matchAll(/([\w:.-]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+)))?/g)) {
    const [, name = '', double, single, bare] = m;
    attributes.set(name.toLowerCase(), decodeEntities(double ?? single ?? bare ?? ''));
  }
  return attributes;
}

/** The forms of an HTML page (enough HTML for the sandbox IdP's pages and oidc-provider's form_post). */
export function parseForms(html: string): HtmlForm[] {
  const forms: HtmlForm[] = [];
  for (const m of html.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/gi)) {
    const attrs = attributesOf(m[1] ?? '');
    const inner = m[2] ?? '';
    const fields = new Map<string, string>();
    const inputs = new Map<string, string>();
    for (const input of inner.matchAll(/<input\b([^>]*)>/gi)) {
      const a = attributesOf(input[1] ?? '');
      const name = a.get('name');
      if (!name) continue;
      const type = (a.get('type') ?? 'text').toLowerCase();
      inputs.set(name, type);
      if (type !== 'submit' && type !== 'button') fields.set(name, a.get('value') ?? '');
    }
    let submitter: HtmlForm['submitter'];
    for (const button of inner.matchAll(/<button\b([^>]*)>/gi)) {
      const a = attributesOf(button[1] ?? '');
      if ((a.get('type') ?? 'submit') === 'submit' && a.get('name')) {
        submitter = { name: a.get('name')!, value: a.get('value') ?? '' };
        break;
      }
    }
    forms.push({ action: attrs.get('action') ?? '', method: (attrs.get('method') ?? 'get').toUpperCase(), fields, inputs, submitter });
  }
  return forms;
}

function matcher(spec: string | ((url: URL) => boolean) | undefined): (url: URL) => boolean {
  if (spec === undefined) return () => false;
  if (typeof spec === 'function') return spec;
  return (url) => url.href.startsWith(spec);
}

/**
 * Browses from `start`: follows redirects, submits forms (after `fill`), and stops at the first
 * response that is neither a redirect nor a page with a form, or where stopBefore/stopAfter say.
 */
export async function browse(options: BrowseOptions): Promise<BrowseResult> {
  const jar = options.cookieJar ?? new CookieJar();
  const stopBefore = matcher(options.stopBefore);
  const stopAfter = matcher(options.stopAfter);
  const chooseForm = options.chooseForm ?? ((forms) => forms.find((f) => f.method === 'POST'));
  const steps: BrowseStep[] = [];
  const maxSteps = options.maxSteps ?? 25;

  let url = new URL(options.start);
  let method = 'GET';
  let body: string | undefined;
  let initiator = options.initiatorOrigin ?? url.origin;
  let crossSite = false;

  for (;;) {
    if (stopBefore(url)) return { url, response: undefined, cookieJar: jar, steps };
    if (steps.length >= maxSteps)
      throw new Error(`browse: more than ${maxSteps} steps:\n${steps.map((s) => `${s.method} ${s.url} → ${s.status}`).join('\n')}`);
    // A redirect chain stays cross-site once any hop left the initiator's site.
    crossSite ||= url.origin !== initiator;
    const cookie = jar.header(url, { crossSite, topLevel: true, method });
    const headers: Record<string, string> = { accept: 'text/html,application/json;q=0.9,*/*;q=0.8', ...options.headers };
    if (cookie) headers.cookie = cookie;
    if (body !== undefined) headers['content-type'] = 'application/x-www-form-urlencoded';
    if (method === 'POST') headers.origin = initiator;
    const response = await fetch(url, { method, headers, body, redirect: 'manual' });
    jar.store(url, response);
    steps.push({ method, url: url.href, status: response.status, crossSite });
    if (stopAfter(url)) return { url, response, cookieJar: jar, steps };

    const location = response.headers.get('location');
    if (response.status >= 300 && response.status < 400 && location) {
      await response.body?.cancel();
      url = new URL(location, url);
      if (response.status === 303 || ((response.status === 301 || response.status === 302) && method === 'POST')) {
        method = 'GET';
        body = undefined;
      }
      continue;
    }
    const type = response.headers.get('content-type') ?? '';
    if (!type.includes('text/html')) return { url, response, cookieJar: jar, steps };
    const html = await response.text();
    const form = chooseForm(parseForms(html), url);
    if (!form || (options.fill && !options.fill(form, url))) {
      return { url, response: new Response(html, { status: response.status, headers: response.headers }), cookieJar: jar, steps };
    }
    // Submitting a form is a new navigation started by this page.
    initiator = url.origin;
    crossSite = false;
    const fields = new URLSearchParams([...form.fields]);
    if (form.submitter) fields.append(form.submitter.name, form.submitter.value);
    const target = new URL(form.action || url.href, url);
    if (form.method === 'POST') {
      method = 'POST';
      body = fields.toString();
      url = target;
    } else {
      method = 'GET';
      body = undefined;
      target.search = fields.toString();
      url = target;
    }
  }
}

export interface LoginViaFormsOptions {
  /** The IdP authorization URL, or a BFF URL that redirects to it (e.g. `/auth/login`). */
  readonly authorizeUrl: string | URL;
  readonly email: string;
  readonly password: string;
  readonly cookieJar?: CookieJar;
  /** Stop before requesting the client's redirect URI and return the code/state found on it. */
  readonly redirectUri?: string;
  /** Request a matching URL (e.g. the BFF's `/auth/callback`) and return its response. */
  readonly stopAfter?: string | ((url: URL) => boolean);
  /** Origin of the page that started the login. Default: authorizeUrl's origin. */
  readonly initiatorOrigin?: string;
  /** Default 'allow'. */
  readonly consent?: 'allow' | 'deny';
  readonly maxSteps?: number;
}

export interface LoginViaFormsResult extends BrowseResult {
  readonly code: string | undefined;
  readonly state: string | undefined;
  readonly iss: string | undefined;
  readonly error: string | undefined;
}

/**
 * Logs in through the IdP's real forms. Throws when the credentials are refused (the login form
 * comes back with an error). Without redirectUri/stopAfter it follows redirects to the end.
 */
export async function loginViaForms(options: LoginViaFormsOptions): Promise<LoginViaFormsResult> {
  let submittedLogin = false;
  const result = await browse({
    start: options.authorizeUrl,
    cookieJar: options.cookieJar,
    initiatorOrigin: options.initiatorOrigin,
    stopBefore: options.redirectUri,
    stopAfter: options.stopAfter,
    maxSteps: options.maxSteps,
    chooseForm: (forms) => {
      const login = forms.find((f) => f.inputs.get('password') === 'password');
      if (login) return login;
      if (options.consent === 'deny') return forms.find((f) => f.method === 'POST' && /\/abort$/.test(f.action));
      return forms.find((f) => f.method === 'POST');
    },
    fill: (form) => {
      if (form.inputs.get('password') !== 'password') return true;
      // The same login form again means the credentials were refused.
      if (submittedLogin) return false;
      submittedLogin = true;
      form.fields.set('email', options.email);
      form.fields.set('password', options.password);
      return true;
    },
  });
  if (result.response && submittedLogin && result.response.status === 401) {
    const html = await result.response.text();
    const message = /role="alert">([^<]*)</.exec(html)?.[1] ?? 'login refused';
    throw new Error(`loginViaForms: ${decodeEntities(message)}`);
  }
  const params = result.url.searchParams;
  return {
    ...result,
    code: params.get('code') ?? undefined,
    state: params.get('state') ?? undefined,
    iss: params.get('iss') ?? undefined,
    error: params.get('error') ?? undefined,
  };
}

export interface LogoutViaFormsOptions {
  /** The IdP end_session URL (e.g. the one a BFF returns from its logout). */
  readonly endSessionUrl: string | URL;
  readonly cookieJar: CookieJar;
  /** Stop before requesting the post-logout redirect URI. */
  readonly postLogoutRedirectUri?: string;
  readonly initiatorOrigin?: string;
}

/** Confirms an RP-initiated logout on the IdP's logout page ("Yes, sign me out"). */
export function logoutViaForms(options: LogoutViaFormsOptions): Promise<BrowseResult> {
  return browse({
    start: options.endSessionUrl,
    cookieJar: options.cookieJar,
    initiatorOrigin: options.initiatorOrigin,
    stopBefore: options.postLogoutRedirectUri,
  });
}
