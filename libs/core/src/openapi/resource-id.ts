/** Ids of the resources the apps look up (products, orders): 1-64 letters, digits, - or _, not starting with - or _. */
export const RESOURCE_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;
