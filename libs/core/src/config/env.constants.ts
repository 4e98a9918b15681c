/** Token of the map schema token → parsed value, built once at boot. */
export const ENV_VALUES = Symbol('ENV_VALUES');

/** Token of the raw environment the app validates: the one createPlatformApp was handed, else process.env. */
export const RAW_ENV = Symbol('RAW_ENV');
