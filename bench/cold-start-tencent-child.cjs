'use strict';
/**
 * One Tencent cold start, in a fresh `node` process (see cold-start-child.cjs for the method):
 *   tencent-sdk               require the official vpc, cvm and tat clients (the naive client choice)
 *   tencent-adapter <bundle>  require the bundled Tencent adapter, then make its first call
 *                             (DescribeHaVips, TC3-signed) to the simulator at BENCH_ENDPOINT
 * The result is one JSON line on file descriptor 3; times are milliseconds since this process began.
 */
const { writeSync } = require('node:fs');
const { performance } = require('node:perf_hooks');

function report(result) {
  writeSync(3, `${JSON.stringify({ ...result, maxRssKb: process.resourceUsage().maxRSS })}\n`);
  process.exit(0);
}

async function main() {
  const [variant, bundle] = process.argv.slice(2);
  if (variant === 'tencent-sdk') {
    require('tencentcloud-sdk-nodejs/tencentcloud/services/vpc/v20170312/vpc_client.js');
    require('tencentcloud-sdk-nodejs/tencentcloud/services/cvm/v20170312/cvm_client.js');
    require('tencentcloud-sdk-nodejs/tencentcloud/services/tat/v20201028/tat_client.js');
    return report({ readyMs: performance.now() });
  }
  if (variant !== 'tencent-adapter' || !bundle) throw new Error(`unknown variant ${variant}`);
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
  process.stderr.write(`tencent cold-start child: ${e?.stack ?? String(e)}\n`);
  process.exit(1);
});
