/** Set by vite.config.ts: true on the Vite dev server, false in a build served by web-bff. */
declare const __STOREFRONT_DEV_SERVER__: boolean;
