import { applyDecorators } from '@nestjs/common';
import { RouteConfig } from '@nestjs/platform-fastify';
import { ApiExtension, ApiProperty } from '@nestjs/swagger';

import {
  DEPRECATION_FIELD_EXTENSION,
  DEPRECATION_OPERATION_EXTENSION,
  DEPRECATION_ROUTE_CONFIG,
  deprecationOf,
  type DeprecationOptions,
} from './deprecation.js';

/**
 * Announces that a route, or a DTO field, is due to go (docs/versioning.md).
 * - On a route: every answer carries `Deprecation` (RFC 9745), `Sunset` (RFC 8594) and `Link` to the
 *   successor / deprecation notice; the operation is `deprecated: true` in OpenAPI with those headers
 *   documented on each of its responses. The route keeps working until it is removed.
 * - On a DTO property (place it with the property's @ApiProperty): the schema property is
 *   `deprecated: true`, its sunset and successor in its description. Nothing is sent on the wire for a field.
 * Invalid options (dates, order, targets) throw when the class is loaded.
 */
export function Deprecated(options: DeprecationOptions): MethodDecorator & PropertyDecorator {
  const deprecation = deprecationOf(options);
  const onRoute = applyDecorators(
    RouteConfig({ [DEPRECATION_ROUTE_CONFIG]: deprecation }),
    ApiExtension(DEPRECATION_OPERATION_EXTENSION, deprecation),
  );
  // The extension is not part of ApiPropertyOptions' type; swagger copies unknown keys into the schema.
  const onField = ApiProperty({ [DEPRECATION_FIELD_EXTENSION]: deprecation } as Parameters<typeof ApiProperty>[0]);
  return (target: object, key: string | symbol, descriptor?: PropertyDescriptor) =>
    descriptor ? onRoute(target, key, descriptor) : onField(target, key);
}
