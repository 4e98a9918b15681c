/** Server-rendered pages of the sandbox IdP: plain HTML forms a browser or a test can drive. */

export function escapeHtml(value: string | number | undefined): string {
  return String(value ?? '')
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

const STYLE =
  'body{font-family:system-ui,sans-serif;max-width:26rem;margin:3rem auto;padding:0 1rem;color:#222}' +
  'label{display:block;margin:.75rem 0}input{display:block;width:100%;padding:.4rem;box-sizing:border-box}' +
  'button{padding:.5rem 1rem;margin:.75rem .5rem 0 0}.error{color:#b00020}.hint{color:#666;font-size:.85rem}';

function page(title: string, body: string): string {
  return `<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(title)} · Retail sandbox IdP</title><style>${STYLE}</style></head>
<body>
${body}
</body>
</html>
`;
}

export function loginPage(input: { uid: string; clientName: string; email?: string; error?: string }): string {
  const uid = encodeURIComponent(input.uid);
  return page(
    'Sign in',
    `<h1>Sign in</h1>
<p>to continue to <strong>${escapeHtml(input.clientName)}</strong></p>
${input.error ? `<p class="error" role="alert">${escapeHtml(input.error)}</p>` : ''}
<form method="post" action="/interaction/${uid}/login" autocomplete="off">
<label>Email <input type="email" name="email" value="${escapeHtml(input.email ?? '')}" required autofocus></label>
<label>Password <input type="password" name="password" required></label>
<button type="submit">Sign in</button>
</form>
<form method="post" action="/interaction/${uid}/abort"><button type="submit">Cancel</button></form>
<p class="hint">Sandbox accounts: every seeded customer, e.g. alice@example.com, with the dev password "password".</p>`,
  );
}

export function consentPage(input: { uid: string; clientName: string; accountName: string; scopes: readonly string[] }): string {
  const uid = encodeURIComponent(input.uid);
  const items = input.scopes.map((s) => `<li><code>${escapeHtml(s)}</code></li>`).join('');
  return page(
    'Authorize',
    `<h1>Authorize ${escapeHtml(input.clientName)}</h1>
<p>Signed in as <strong>${escapeHtml(input.accountName)}</strong>. ${escapeHtml(input.clientName)} asks for:</p>
<ul>${items || '<li>your basic profile</li>'}</ul>
<form method="post" action="/interaction/${uid}/confirm"><button type="submit" name="decision" value="allow">Allow</button></form>
<form method="post" action="/interaction/${uid}/abort"><button type="submit">Deny</button></form>`,
  );
}

/** oidc-provider hands us its logout form (hidden xsrf input); the buttons go inside it. */
export function logoutPage(form: string, host: string): string {
  const buttons =
    '<button type="submit" name="logout" value="yes" autofocus>Yes, sign me out</button><button type="submit">No, stay signed in</button>';
  const withButtons = form.replace('</form>', `${buttons}</form>`);
  return page('Sign out', `<h1>Sign out from ${escapeHtml(host)}?</h1>\n${withButtons}`);
}

export function loggedOutPage(clientName: string | undefined): string {
  return page('Signed out', `<h1>Signed out</h1><p>You are signed out${clientName ? ` of ${escapeHtml(clientName)}` : ''}.</p>`);
}

export function errorPage(error: string, description: string | undefined): string {
  return page(
    'Error',
    `<h1>Sign-in error</h1><p class="error" role="alert"><code>${escapeHtml(error)}</code>${description ? `: ${escapeHtml(description)}` : ''}</p>`,
  );
}
