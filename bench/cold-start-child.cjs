'use strict';
/**
 * One cold start, in a fresh `node` process. The variant is the first argument:
 *   bare                 load nothing (what `node` itself costs)
 *   sdk                  require @alicloud/vpc20160428 and @alicloud/ecs20140526 (the naive client choice)
 *   load <index.js>      require a bundled FC handler and exit (what `node -e 'require(bundle)'` costs)
 *   handler <index.js>   require a bundled FC handler, then call it once with the event in BENCH_EVENT
 *   tencent-sdk          require the official Tencent vpc, cvm and tat clients (cold-start-tencent.ts)
 *   tencent-adapter <bundle>  require the bundled Tencent adapter, then make its first call
 *                        (DescribeHaVips, TC3-signed) to the simulator at BENCH_ENDPOINT
 * The result is one JSON line on file descriptor 3: times are `performance.now()`, i.e. milliseconds
 * since this process began, so node's own start-up is included and parent-side spawn noise is not.
 */
const { writeSync } = require('node:fs');
const { performance } = require('node:perf_hooks');

function report(result) {
  writeSync(3, `${JSON.stringify({ ...result, maxRssKb: process.resourceUsage().maxRSS })}\n`);
  process.exit(0);
}

async function main() {
  const [variant, bundle] = process.argv.slice(2);
  if (variant === 'bare') return report({ readyMs: performance.now() });
  if (variant === 'sdk') {
    require('@alicloud/vpc20160428');
    require('@alicloud/ecs20140526');
    return report({ readyMs: performance.now() });
  }
  if (variant === 'load' && bundle) {
    const { handler } = require(bundle);
    if (typeof handler !== 'function') throw new Error(`${bundle} exports no handler`);
    return report({ readyMs: performance.now() });
  }
  if (variant === 'tencent-sdk') {
    require('tencentcloud-sdk-nodejs/tencentcloud/services/vpc/v20170312/vpc_client.js');
    require('tencentcloud-sdk-nodejs/tencentcloud/services/cvm/v20170312/cvm_client.js');
    require('tencentcloud-sdk-nodejs/tencentcloud/services/tat/v20201028/tat_client.js');
    return report({ readyMs: performance.now() });
  }
  if (variant === 'tencent-adapter' && bundle) return tencentFirstCall(bundle);
  if (variant !== 'handler' || !bundle) throw new Error(`unknown variant ${variant}`);
  const { handler } = require(bundle);
  const readyMs = performance.now();
  const context = JSON.parse(process.env.BENCH_CONTEXT || '{}');
  // Function Compute passes the event as a Buffer.
  const result = await handler(Buffer.from(process.env.BENCH_EVENT || ''), context);
  const handledMs = performance.now();
  report({ readyMs, handledMs, result });
}

async function tencentFirstCall(bundle) {
  const { createTencentCloudApi } = require(bundle);
  const readyMs = performance.now();
  const api = createTencentCloudApi({
    credentials: JSON.parse(process.env.BENCH_CREDENTIALS || '{}'),
    endpoints: { override: process.env.BENCH_ENDPOINT },
    protocol: 'http',
  });
  const result = await api.describeHaVips({ regionId: 'ap-guangzhou', haVipIds: ['havip-demoweb'] });
  report({ readyMs, handledMs: performance.now(), result });
}

main().catch((e) => {
  process.stderr.write(`cold-start child: ${e?.stack ?? String(e)}\n`);
  process.exit(1);
});
