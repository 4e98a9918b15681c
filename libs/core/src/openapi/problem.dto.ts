import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class FieldViolationDto {
  @ApiProperty({ example: 'limit' })
  field: string;

  @ApiPropertyOptional({ enum: ['body', 'query', 'path', 'header'] })
  in?: string;

  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'string' },
    example: { max: 'limit must not be greater than 100' },
  })
  constraints: Record<string, string>;
}

export class DegradedSectionDto {
  @ApiProperty({ example: 'reviews' })
  section: string;

  @ApiProperty({ example: 'timeout', description: 'Why the optional section is missing.' })
  reason: string;
}

/** RFC 9457 problem document, as every error leaves the platform. */
export class ProblemDto {
  @ApiProperty({ example: 'https://bff.example.com/problems/validation-failed' })
  type: string;

  @ApiProperty({ example: 'Bad Request' })
  title: string;

  @ApiProperty({ example: 400 })
  status: number;

  @ApiProperty({ example: 'The request has 1 invalid field.' })
  detail: string;

  @ApiProperty({ example: '/api/v1/pages/product/p-00001' })
  instance: string;

  @ApiProperty({ example: '3f2b8c1e-6a0d-4a57-9d2e-0f6c2b9e8a11' })
  requestId: string;

  @ApiPropertyOptional({ type: [FieldViolationDto], description: 'Present on validation failures.' })
  errors?: FieldViolationDto[];
}
