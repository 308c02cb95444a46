import { strict as assert } from 'node:assert';
import type { ContainerState } from '../../src/core/model/oomEvent';
import { parseOomEvents } from '../../src/core/parse/kernelLog';
import { quantityToBytes } from '../../src/core/parse/containerState/quantities';

const states = (text: string): ContainerState[] =>
  parseOomEvents(text).events.map((e) => {
    assert.equal(e.kind, 'container');
    return e.containerState!;
  });

const POD_YAML = `apiVersion: v1
kind: Pod
metadata:
  name: api-7d9f
  namespace: shop
spec:
  containers:
  - image: example/api:1
    name: api
    resources:
      limits:
        cpu: 500m
        memory: 512Mi
      requests:
        memory: 256Mi
  - image: example/sidecar:1
    name: sidecar
    resources:
      limits:
        memory: 64Mi
status:
  containerStatuses:
  - containerID: containerd://1111aaaa
    image: example/api:1
    lastState:
      terminated:
        containerID: containerd://0000aaaa
        exitCode: 137
        finishedAt: "2024-05-01T10:00:00Z"
        reason: OOMKilled
        startedAt: "2024-05-01T09:00:00Z"
    name: api
    ready: true
    restartCount: 3
    state:
      running:
        startedAt: "2024-05-01T10:00:05Z"
  - containerID: containerd://2222bbbb
    lastState: {}
    name: sidecar
    restartCount: 0
    state:
      running:
        startedAt: "2024-05-01T09:00:00Z"
`;

describe('container platform states', () => {
  it('parses Kubernetes memory quantities', () => {
    assert.equal(quantityToBytes('300Mi'), 314572800);
    assert.equal(quantityToBytes('1Gi'), 1073741824);
    assert.equal(quantityToBytes('512M'), 512e6);
    assert.equal(quantityToBytes('1.5Gi'), 1610612736);
    assert.equal(quantityToBytes('128974848'), 128974848);
    assert.equal(quantityToBytes('129e6'), 129e6);
    assert.equal(quantityToBytes('100k'), 100000);
    assert.equal(quantityToBytes('lots'), null);
  });

  it('kubectl get pod -o yaml: lastState OOMKilled joined with the pod and the container limit', () => {
    const s = states(POD_YAML);
    assert.deepEqual(s, [
      {
        name: 'api',
        pod: 'api-7d9f',
        namespace: 'shop',
        id: '1111aaaa',
        reason: 'OOMKilled',
        oomKilled: true,
        exitCode: 137,
        restartCount: 3,
        memoryLimitBytes: 536870912,
        finishedAt: '2024-05-01T10:00:00Z',
        message: 'OOM-killed: the container hit its memory limit',
      },
    ]);
    const ev = parseOomEvents(POD_YAML).events[0];
    assert.equal(ev.time, '2024-05-01T10:00:00.000Z');
    assert.equal(ev.timeText, '2024-05-01T10:00:00Z');
  });

  it('kubectl get pods -A -o json (a List, several pods) and a cut-short copy', () => {
    const pod = (name: string, ns: string, reason: string, code: number) => ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, namespace: ns },
      spec: { containers: [{ name: 'main', resources: { limits: { memory: '1Gi' } } }] },
      status: {
        containerStatuses: [
          {
            name: 'main',
            containerID: 'docker://abc' + name,
            restartCount: 7,
            state: { terminated: { reason, exitCode: code, finishedAt: '2024-01-01T00:00:00Z' } },
            lastState: {},
          },
        ],
      },
    });
    const list = { apiVersion: 'v1', kind: 'List', items: [pod('a', 'n1', 'OOMKilled', 0), pod('b', 'n2', 'Error', 137), pod('c', 'n3', 'Completed', 0)] };
    const text = JSON.stringify(list, null, 4);
    const s = states(text);
    assert.deepEqual(
      s.map((x) => [x.pod, x.namespace, x.name, x.reason, x.oomKilled, x.exitCode, x.memoryLimitBytes, x.restartCount, x.id]),
      [
        ['a', 'n1', 'main', 'OOMKilled', true, 0, 1073741824, 7, 'abca'],
        ['b', 'n2', 'main', 'Error', false, 137, 1073741824, 7, 'abcb'],
      ],
    );
    assert.equal(s[1].message, 'killed by SIGKILL (possibly OOM)');
    const cut = text.slice(0, text.indexOf('137', text.indexOf('"Error"')) + 3);
    const sc = states(cut);
    assert.equal(sc.length, 2);
    assert.equal(sc[1].exitCode, 137);
    assert.equal(states(JSON.stringify(list)).length, 2, 'compact JSON on one line');
  });

  it('docker inspect: whole, truncated, compact State, grep output', () => {
    const id = 'f'.repeat(64);
    const full = JSON.stringify(
      [
        {
          Id: id,
          Created: 'x',
          State: {
            Status: 'exited',
            Running: false,
            OOMKilled: true,
            Dead: false,
            Pid: 0,
            ExitCode: 137,
            Error: '',
            StartedAt: '2024-02-02T10:00:00.123456789Z',
            FinishedAt: '2024-02-02T11:00:00.5Z',
          },
          Name: '/web',
          RestartCount: 2,
          HostConfig: { Memory: 268435456 },
          Config: { Labels: { 'io.kubernetes.pod.name': 'web-1', 'io.kubernetes.pod.namespace': 'prod' } },
        },
      ],
      null,
      4,
    );
    assert.deepEqual(states(full), [
      {
        name: 'web',
        pod: 'web-1',
        namespace: 'prod',
        id,
        reason: 'OOMKilled',
        oomKilled: true,
        exitCode: 137,
        restartCount: 2,
        memoryLimitBytes: 268435456,
        finishedAt: '2024-02-02T11:00:00.5Z',
        message: 'OOM-killed: the container hit its memory limit',
      },
    ]);
    const truncated = full.slice(0, full.indexOf('"Error"'));
    const t = states(truncated);
    assert.equal(t.length, 1);
    assert.equal(t[0].oomKilled, true);
    assert.equal(t[0].exitCode, 137);
    assert.equal(t[0].id, id);
    const compact = states(
      '{"Status":"exited","Running":false,"Paused":false,"Restarting":false,"OOMKilled":false,"Dead":false,"Pid":0,"ExitCode":137,"Error":"","StartedAt":"2024-01-01T00:00:00Z","FinishedAt":"2024-01-01T00:01:00Z"}\n',
    );
    assert.deepEqual(
      [compact[0].oomKilled, compact[0].exitCode, compact[0].reason, compact[0].message],
      [false, 137, null, 'killed by SIGKILL (possibly OOM)'],
    );
    assert.deepEqual(states('{"OOMKilled":false,"ExitCode":0}\n'), []);
    const grep = states('$ docker inspect 0123456789ab | grep -E "OOMKilled|ExitCode"\n            "OOMKilled": true,\n            "ExitCode": 0,\n');
    assert.deepEqual([grep[0].id, grep[0].oomKilled, grep[0].exitCode], ['0123456789ab', true, 0]);
  });

  it('kubectl describe pod: whole output with pod, namespace, container name and id', () => {
    const text = `Name:             worker-5c7
Namespace:        jobs
Priority:         0
Status:           Running
Containers:
  worker:
    Container ID:   containerd://9f9f9f
    Image:          example/worker:2
    State:          Running
      Started:      Tue, 07 May 2024 12:00:00 +0000
    Last State:     Terminated
      Reason:       Error
      Exit Code:    137
      Started:      Tue, 07 May 2024 11:00:00 +0000
      Finished:     Tue, 07 May 2024 11:59:58 +0000
    Ready:          True
    Restart Count:  4
    Limits:
      memory:  2Gi
    Requests:
      memory:     1Gi
    Environment:
      NAME:  not-a-pod
    Mounts:
      /var/run/secrets from kube-api-access (ro)
Conditions:
  Type              Status
  Ready             True
Events:
  Type     Reason     Age   From     Message
  Warning  BackOff    1m    kubelet  Back-off restarting failed container
`;
    assert.deepEqual(states(text), [
      {
        name: 'worker',
        pod: 'worker-5c7',
        namespace: 'jobs',
        id: '9f9f9f',
        reason: 'Error',
        oomKilled: false,
        exitCode: 137,
        restartCount: 4,
        memoryLimitBytes: 2147483648,
        finishedAt: '2024-05-07T11:59:58+00:00',
        message: 'killed by SIGKILL (possibly OOM)',
      },
    ]);
    assert.deepEqual(states(text.replace('Exit Code:    137', 'Exit Code:    1')), [], 'exit 1 with reason Error is not about memory');
  });

  it('kubectl get pods tables: STATUS OOMKilled rows, with or without the namespace column', () => {
    const s = states(
      'NAME                     READY   STATUS      RESTARTS      AGE\nleaky-5d8f-x2            0/1     OOMKilled   3 (20s ago)   5m\nok-1                     1/1     Running     0             5m\n',
    );
    assert.deepEqual(
      s.map((x) => [x.pod, x.namespace, x.restartCount, x.oomKilled]),
      [['leaky-5d8f-x2', null, 3, true]],
    );
  });

  it('kubectl get pods -A (1.24+): RESTARTS "5 (3m12s ago)", several OOMKilled rows, an init container, the rest ignored', () => {
    const table = [
      'NAMESPACE     NAME                                READY   STATUS            RESTARTS        AGE',
      'prod          api-7d9f8b6c5d-x2k4p                0/1     OOMKilled         5 (3m12s ago)   42m',
      'prod          worker-5c6d7e8f9-abcde              0/1     OOMKilled         12 (45s ago)    2h',
      'kube-system   coredns-5d78c9869d-8xk2p            1/1     Running           0               3d',
      'batch         nightly-28501234-q7k9z              0/1     Init:OOMKilled    1 (2d3h ago)    4d',
      'prod          web-6b7c8d9e0f-zzzzz                0/1     CrashLoopBackOff  7 (12s ago)     1h',
      '',
    ].join('\n');
    const expected = [
      ['api-7d9f8b6c5d-x2k4p', 'prod', 5, true],
      ['worker-5c6d7e8f9-abcde', 'prod', 12, true],
      ['nightly-28501234-q7k9z', 'batch', 1, true],
    ];
    const read = (t: string) => states(t).map((x) => [x.pod, x.namespace, x.restartCount, x.oomKilled]);
    assert.deepEqual(read(table), expected);
    // pasted: CRLF, indented, behind a shell prompt line
    assert.deepEqual(read('$ kubectl get pods -A\r\n' + table.replace(/^/gm, '  ').replace(/\n/g, '\r\n')), expected);
    // without the namespace column
    assert.deepEqual(
      read(table.replace(/^\S+\s+/gm, '')),
      expected.map(([p, , n, k]) => [p, null, n, k]),
    );
  });

  it('docker stats tables are usage, not kills', () => {
    assert.deepEqual(
      states(
        'CONTAINER ID   NAME   CPU %   MEM USAGE / LIMIT   MEM %   NET I/O   BLOCK I/O   PIDS\n0123456789ab   web    0.50%   511.9MiB / 512MiB   99.98%  1kB / 2kB   0B / 0B   12\n',
      ),
      [],
    );
  });
});
