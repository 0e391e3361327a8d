/** The schema is read by key path, so each default is written once, on its node. */
import { defaultAt, nodeAt } from '../../../src/config/schema/lookup';
import { toSuperConfig } from '../../../src/config/typed';

test('finds nodes through tables and tag variants, and nothing past a leaf', () => {
  expect(nodeAt(['image_garbage_collection', 'cleanup_time'])).toMatchObject({ type: 'string', format: 'time-of-day' });
  expect(nodeAt(['provisioning', 'connection_string'])).toMatchObject({ type: 'string' });
  expect(nodeAt(['hostname', 'x'])).toBeUndefined();
  expect(nodeAt(['no_such_key'])).toBeUndefined();
});

test('a path without a default is a programming error, named', () => {
  expect(() => defaultAt(['hostname'])).toThrow('the config schema declares no default at hostname');
});

test('the typed view of an empty document holds exactly the schema defaults', () => {
  const c = toSuperConfig({}, '/var/lib/edged');
  expect(c.cloud_timeout_sec).toBe(defaultAt(['cloud_timeout_sec']));
  expect(c.cloud_retries).toBe(defaultAt(['cloud_retries']));
  expect(c.iotedge_max_requests).toEqual({ management: 50, workload: 50 });
  expect(c.allow_elevated_docker_permissions).toBe(true);
  expect(c.prefer_module_identity_cache).toBe(false);
  expect(c.auto_reprovisioning_mode).toBe('Dynamic');
  expect(c.watchdog.max_retries).toBe('infinite');
  expect(c.agent).toMatchObject({ name: 'edgeAgent', imagePullPolicy: 'on-create', config: { image: defaultAt(['agent', 'config', 'image']) } });
  expect(c.moby_runtime).toMatchObject({ uri: 'unix:///var/run/docker.sock', network: 'azure-iot-edge' });
  expect(c.image_garbage_collection).toEqual({ enabled: true, recurrenceMs: 86_400_000, thresholdMs: 7 * 86_400_000, cleanupMinutes: 0, startupDelayMs: 300_000 });
});
