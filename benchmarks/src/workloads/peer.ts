/**
 * Peer comparison: the same S3 small-object workload (list, then GET M objects at concurrency C) through
 * `@aws-sdk/client-s3` and through dualcloud (Design 3), against the same fake S3.
 * @module
 */
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { getDriver, Provider } from '@dualcloud/async-mode/storage';
import { FAKE_CREDENTIALS, type FakeCloud } from '@dualcloud/fake-cloud';
import type { ModeContext } from '../modes.js';
import { round1, runPool } from '../pool.js';

/** The peer comparison's figures. */
export interface PeerResult {
  readonly objects: number;
  readonly bytesEach: number;
  readonly concurrency: number;
  readonly dualcloudMs: number;
  readonly awsSdkMs: number;
  /** awsSdkMs / dualcloudMs: above 1 means dualcloud is faster. */
  readonly awsSdkToDualcloud: number;
}

/** Runs the peer comparison (both clients list the same prefix and GET every object). */
export async function peer(cloud: FakeCloud, ctx: ModeContext, cfg: { objects: number; size: number; concurrency: number; latency: number; deadlineMs: number }): Promise<PeerResult> {
  await cloud.configure({ latency: 0 });
  const aws = FAKE_CREDENTIALS.aws;
  const { port } = cloud.endpoint('s3');
  const S3 = getDriver(Provider.S3);
  const ours = new S3({ key: aws.accessKeyId, secret: aws.secretAccessKey, region: 'us-east-1', concurrency: cfg.concurrency, ...cloud.endpoint('s3'), async: true });
  const container = await ours.getContainer(ctx.bucket);
  const payload = randomBytes(cfg.size);
  const prefix = 'peer/';
  await runPool(cfg.objects, cfg.concurrency, true, cfg.deadlineMs, (i) => ours.uploadObjectViaStream(payload, container, `${prefix}${i}`));
  await cloud.configure({ latency: cfg.latency });

  const client = new S3Client({
    region: 'us-east-1',
    endpoint: `http://127.0.0.1:${port}`,
    forcePathStyle: true,
    credentials: { accessKeyId: aws.accessKeyId, secretAccessKey: aws.secretAccessKey },
  });

  const runOurs = async (): Promise<number> => {
    const start = performance.now();
    const objects = await ours.listContainerObjects(container, { prefix });
    await runPool(objects.length, cfg.concurrency, true, cfg.deadlineMs, async (i) => {
      let n = 0;
      for await (const chunk of ours.downloadObjectAsStream(objects[i]!)) n += chunk.byteLength;
      if (n !== cfg.size) throw new Error('dualcloud: short read');
    });
    return performance.now() - start;
  };
  const runAws = async (): Promise<number> => {
    const start = performance.now();
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const page = await client.send(new ListObjectsV2Command({ Bucket: ctx.bucket, Prefix: prefix, ContinuationToken: token }));
      for (const o of page.Contents ?? []) keys.push(o.Key!);
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    await runPool(keys.length, cfg.concurrency, true, cfg.deadlineMs, async (i) => {
      const res = await client.send(new GetObjectCommand({ Bucket: ctx.bucket, Key: keys[i]! }));
      const bytes = await res.Body!.transformToByteArray();
      if (bytes.length !== cfg.size) throw new Error('aws-sdk: short read');
    });
    return performance.now() - start;
  };
  try {
    await runOurs(); // warm-up both
    await runAws();
    const oursMs: number[] = [];
    const awsMs: number[] = [];
    for (let round = 0; round < 3; round++) {
      oursMs.push(await runOurs());
      awsMs.push(await runAws());
    }
    const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[1]!;
    return {
      objects: cfg.objects,
      bytesEach: cfg.size,
      concurrency: cfg.concurrency,
      dualcloudMs: round1(median(oursMs)),
      awsSdkMs: round1(median(awsMs)),
      awsSdkToDualcloud: Number((median(awsMs) / median(oursMs)).toFixed(2)),
    };
  } finally {
    client.destroy();
  }
}
