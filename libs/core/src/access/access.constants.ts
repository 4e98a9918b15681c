/** Metadata key holding a route's explicit access decision (see RouteAccess). */
export const ROUTE_ACCESS = 'bff:route-access';
