import { statusFromDocker, runtimeStateFromInspect, moduleFromInspect, parseDockerTime, DOCKER_ZERO_TIME } from '../../../src/runtime/docker/state';
import { OWNER_LABEL, OWNER_VALUE, ORIGINAL_IMAGE_LABEL } from '../../../src/runtime/types';
import type { ContainerInspectInfo } from 'dockerode';

describe('statusFromDocker (as upstream edgelet-docker)', () => {
  it.each([
    ['created', 0, 'stopped'],
    ['paused', 0, 'stopped'],
    ['restarting', 1, 'stopped'],
    ['exited', 0, 'stopped'],
    ['exited', 42, 'failed'],
    ['exited', -1, 'failed'],
    ['removing', 0, 'stopped'],
    ['removing', 2, 'failed'],
    ['dead', 0, 'dead'],
    ['dead', 9, 'dead'],
    ['running', 0, 'running'],
    ['weird', 0, 'unknown'],
    [undefined, 0, 'unknown'],
  ] as const)('%s with exit code %d is %s', (docker, code, expected) => {
    expect(statusFromDocker(docker, code)).toBe(expected);
  });
});

describe('runtimeStateFromInspect', () => {
  it("treats Docker's zero time as absent and keeps the details", () => {
    const s = runtimeStateFromInspect(
      { Status: 'exited', ExitCode: 3, StartedAt: '2026-01-01T10:00:00.5Z', FinishedAt: DOCKER_ZERO_TIME, Pid: 0 },
      'sha256:abc',
    );
    expect(s).toEqual({
      status: 'failed',
      exitCode: 3,
      statusDescription: 'exited',
      startedAt: new Date('2026-01-01T10:00:00.5Z'),
      imageId: 'sha256:abc',
    });
  });

  it('reports the pid of a running container', () => {
    expect(runtimeStateFromInspect({ Status: 'running', ExitCode: 0, Pid: 1234 }).pid).toBe(1234);
  });

  it('is unknown without a state', () => {
    expect(runtimeStateFromInspect(undefined)).toEqual({ status: 'unknown' });
  });

  it('ignores unparsable times', () => {
    expect(parseDockerTime('not a date')).toBeUndefined();
    expect(parseDockerTime('0001-01-01T00:00:00.000000000Z')).toBeUndefined();
  });
});

describe('moduleFromInspect', () => {
  it('takes the image from the original-image label and the env from the container', () => {
    const info = {
      Id: 'c1',
      Name: '/tempSensor',
      Image: 'sha256:img',
      Config: {
        Image: 'sha256:img',
        Env: ['A=1', 'B=x=y', 'EMPTY'],
        Labels: { [OWNER_LABEL]: OWNER_VALUE, [ORIGINAL_IMAGE_LABEL]: 'mcr.microsoft.com/temp:1.0' },
      },
      State: { Status: 'running', ExitCode: 0, Pid: 7, StartedAt: '2026-01-01T00:00:00Z', FinishedAt: DOCKER_ZERO_TIME },
    } as unknown as ContainerInspectInfo;
    const m = moduleFromInspect(info);
    expect(m).toMatchObject({
      id: 'c1',
      name: 'tempSensor',
      type: 'docker',
      config: { image: 'mcr.microsoft.com/temp:1.0', createOptions: { Labels: info.Config.Labels } },
      env: { A: '1', B: 'x=y', EMPTY: '' },
      state: { status: 'running', pid: 7, imageId: 'sha256:img' },
    });
  });
});
