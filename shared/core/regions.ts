/**
 * Regions where Alibaba Cloud's documentation lists HaVip (2025). The list changes as regions open
 * and close (the Nanjing and Fuzhou local regions have closed), so an unlisted region is only a
 * warning from the validators, never an error.
 */

/** Region ids offering HaVip according to the 2025 documentation. */
export const HAVIP_REGIONS: readonly string[] = Object.freeze([
  'cn-hangzhou',
  'cn-shanghai',
  'cn-qingdao',
  'cn-beijing',
  'cn-zhangjiakou',
  'cn-huhehaote',
  'cn-wulanchabu',
  'cn-shenzhen',
  'cn-heyuan',
  'cn-guangzhou',
  'cn-chengdu',
  'cn-hongkong',
  'cn-wuhan-lr',
  'ap-northeast-1',
  'ap-northeast-2',
  'ap-southeast-1',
  'ap-southeast-3',
  'ap-southeast-5',
  'ap-southeast-6',
  'ap-southeast-7',
  'eu-central-1',
  'eu-west-1',
  'us-west-1',
  'us-east-1',
  'na-south-1',
  'me-east-1',
  'me-central-1',
]);

const KNOWN = new Set(HAVIP_REGIONS);

/** Whether the region is on the documented HaVip list. */
export function isKnownHaVipRegion(region: string): boolean {
  return KNOWN.has(region);
}

/** The shape of an Alibaba region id: lowercase words joined by dashes, e.g. `cn-wuhan-lr`, `ap-southeast-1`. */
export const REGION_ID_PATTERN = /^[a-z]{2,}(-[a-z0-9]+)+$/;
