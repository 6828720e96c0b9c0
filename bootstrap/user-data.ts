/**
 * The launch template's user data: only an `#include` of the cloud-config object's URL. cloud-init
 * fetches the URL at boot, so the boot configuration changes in S3 without a new launch template
 * version (https://cloudinit.readthedocs.io/en/latest/explanation/format.html#include-file).
 */
export function renderUserData(cloudConfigUrl: string): string {
  if (!/^https:\/\/[^\s]+$/.test(cloudConfigUrl))
    throw new Error(`cloud-config URL must be one https URL, got ${JSON.stringify(cloudConfigUrl)}`);
  return `#include\n${cloudConfigUrl}\n`;
}
