/**
 * CAM's policy grammar (version 2.0), for the policy files under deploy/: statements of effect, action,
 * and, as each kind of policy needs, a resource and a condition (permission policies) or a principal
 * (trust policies). What a particular file may grant is each test's business.
 */
import { z } from 'zod';

export const CamPolicy = z.strictObject({
  version: z.literal('2.0'),
  statement: z
    .array(
      z.strictObject({
        effect: z.literal('allow'),
        action: z.array(z.string()).min(1),
        resource: z.array(z.string()).min(1).optional(),
        condition: z.record(z.string(), z.unknown()).optional(),
        principal: z.strictObject({ service: z.array(z.string()).min(1) }).optional(),
      }),
    )
    .min(1),
});
