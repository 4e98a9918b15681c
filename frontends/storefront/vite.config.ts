import { defineConfig } from 'vite';

/**
 * `npm run storefront:build` writes dist/ (served by web-bff with SPA_DIR, same origin as the API);
 * `npm run storefront:dev` serves the sources on http://localhost:5173 and proxies the API and the
 * sign-in routes to web-bff (BFF_URL, default http://localhost:3000), so the session cookie and the
 * CSRF header work as in production.
 */
const bff = process.env.BFF_URL ?? 'http://localhost:3000';

export default defineConfig(({ command }) => ({
  root: import.meta.dirname,
  // `@bff-clients/web-bff` (the generated typed client in clients/) resolves through tsconfig.json's paths.
  resolve: { tsconfigPaths: true },
  // Whether the app runs on the dev server (another origin than web-bff): decides the sign-in's returnTo.
  // Decided by the command, not the mode, so a build is never a dev build whatever NODE_ENV says.
  define: { __STOREFRONT_DEV_SERVER__: JSON.stringify(command === 'serve') },
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: true },
  server: {
    port: 5173,
    strictPort: true,
    proxy: { '/api': { target: bff }, '/auth': { target: bff } },
  },
}));
