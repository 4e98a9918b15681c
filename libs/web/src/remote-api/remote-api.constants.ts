/** Where remote APIs are mounted: `/api/remote/{api}/{path}`. */
export const REMOTE_API_PREFIX = '/api/remote/';
