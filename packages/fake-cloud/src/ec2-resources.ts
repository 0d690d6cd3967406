/**
 * EC2 volumes (EBS), snapshots, key pairs and images created in a region: their Query API actions and timed
 * lifecycles. Volumes are `creating` for the boot delay, then `available`; attached, `in-use` (the attachment
 * `attaching`, then `attached`); detached, `detaching` until the delay ends. Snapshots are `pending`, images
 * `pending`, for the same delay.
 * @module
 */
import { createHash, createPublicKey, generateKeyPairSync, type JsonWebKey } from 'node:crypto';
import { generateSshKeyPair, parseSshPublicKey, type SshPublicKey } from '@dualcloud/core';
import {
  filterParams,
  intParam,
  listParam,
  matchAny,
  pageOf,
  required,
  type Filter,
  type Params,
} from './ec2-params.js';
import {
  ACCOUNT_ID,
  IMAGES,
  type Ec2Region,
  type Ec2State,
  type Image,
  type Instance,
  type InstanceStateName,
  type KeyPairRecord,
  type Snapshot,
  type UserImage,
  type Volume,
} from './ec2-state.js';
import type { ResolvedOptions } from './options.js';
import { ApiError } from './wire.js';
import type { XmlObject } from './xml.js';

/** What an action handler gets. */
export type ResourceAction = (p: Params, region: Ec2Region, now: number) => XmlObject;

/** EBS volume types EC2 knows. */
const VOLUME_TYPES = new Set(['gp2', 'gp3', 'io1', 'io2', 'st1', 'sc1', 'standard']);
/** Device names EC2 takes for EBS volumes (Linux `/dev/sd*`, `/dev/xvd*`; Windows `xvd*`). */
const DEVICE_NAME = /^(?:\/dev\/(?:sd|xvd|hd)[a-z]{1,2}\d{0,2}|xvd[a-z]{1,2})$/;
/** Root devices every instance has (images use `/dev/xvda`). */
const ROOT_DEVICES = new Set(['/dev/xvda', '/dev/sda1']);
/** AMI names: 3 to 128 of letters, digits and `()[] ./-'@_`. */
const AMI_NAME = /^[A-Za-z0-9()[\] ./\-'@_]{3,128}$/;

/** The tags of a `TagSpecification` for `resourceType`. */
export function specTags(p: Params, resourceType: string): Map<string, string> {
  const tags = new Map<string, string>();
  for (let n = 1; p.has(`TagSpecification.${n}.ResourceType`); n += 1) {
    if (p.get(`TagSpecification.${n}.ResourceType`) !== resourceType) continue;
    for (let t = 1; p.has(`TagSpecification.${n}.Tag.${t}.Key`); t += 1) {
      tags.set(p.get(`TagSpecification.${n}.Tag.${t}.Key`)!, p.get(`TagSpecification.${n}.Tag.${t}.Value`) ?? '');
    }
  }
  return tags;
}

/** A `tagSet`, or nothing without tags. */
export function tagSetXml(tags: ReadonlyMap<string, string>): XmlObject | undefined {
  return tags.size ? { item: [...tags].map(([key, value]) => ({ key, value })) } : undefined;
}

/** An image as DescribeImages renders it. */
export function imageXml(i: Image, state = 'available', tags?: ReadonlyMap<string, string>): XmlObject {
  return {
    imageId: i.id,
    imageLocation: `${i.ownerAlias ?? i.ownerId}/${i.name}`,
    imageState: state,
    imageOwnerId: i.ownerId,
    creationDate: i.creationDate,
    isPublic: i.ownerId !== ACCOUNT_ID,
    architecture: i.architecture,
    imageType: 'machine',
    platform: i.platform,
    imageOwnerAlias: i.ownerAlias,
    name: i.name,
    description: i.description,
    rootDeviceType: 'ebs',
    rootDeviceName: '/dev/xvda',
    blockDeviceMapping: '',
    virtualizationType: 'hvm',
    tagSet: tags ? tagSetXml(tags) : undefined,
    hypervisor: 'xen',
  };
}

function iso(date: Date): string {
  return date.toISOString();
}

function colonHex(digest: Buffer): string {
  return digest.toString('hex').replace(/(..)(?!$)/g, '$1:');
}

/** The SSH mpint encoding of a big-endian unsigned integer. */
function mpint(bytes: Buffer): Buffer {
  let start = 0;
  while (start < bytes.length - 1 && bytes[start] === 0) start++;
  const trimmed = bytes.subarray(start);
  return trimmed[0]! & 0x80 ? Buffer.concat([Buffer.from([0]), trimmed]) : trimmed;
}

function sshString(bytes: Buffer | string): Buffer {
  const b = typeof bytes === 'string' ? Buffer.from(bytes) : bytes;
  const length = Buffer.alloc(4);
  length.writeUInt32BE(b.length);
  return Buffer.concat([length, b]);
}

/** The SSH strings of a key blob, in order. */
function sshStrings(blob: Buffer): Buffer[] {
  const out: Buffer[] = [];
  for (let at = 0; at + 4 <= blob.length; ) {
    const length = blob.readUInt32BE(at);
    if (at + 4 + length > blob.length) throw new ApiError(400, 'InvalidKey.Format', 'Key is not in valid OpenSSH public key format');
    out.push(blob.subarray(at + 4, at + 4 + length));
    at += 4 + length;
  }
  return out;
}

/**
 * The fingerprint EC2 gives an imported key: MD5 of the DER public key (SubjectPublicKeyInfo) for RSA, the
 * base64 SHA-256 of the key for Ed25519.
 */
function importedFingerprint(key: SshPublicKey): string {
  if (key.type === 'ssh-ed25519') return createHash('sha256').update(key.blob).digest('base64');
  const [, e, n] = sshStrings(key.blob);
  if (!e || !n) throw new ApiError(400, 'InvalidKey.Format', 'Key is not in valid OpenSSH public key format');
  const strip = (b: Buffer): Buffer => (b[0] === 0 ? b.subarray(1) : b);
  const jwk: JsonWebKey = { kty: 'RSA', n: strip(n).toString('base64url'), e: strip(e).toString('base64url') };
  let der: Buffer;
  try {
    der = createPublicKey({ key: jwk, format: 'jwk' }).export({ type: 'spki', format: 'der' });
  } catch {
    throw new ApiError(400, 'InvalidKey.Format', 'Key is not in valid OpenSSH public key format');
  }
  return colonHex(createHash('md5').update(der).digest());
}

/** A key pair EC2 generates: PEM private key (RSA, PKCS#1) or OpenSSH (Ed25519), fingerprint, public key line. */
function generatedKey(type: 'rsa' | 'ed25519', name: string): { privateKey: string; fingerprint: string; publicKey: string } {
  if (type === 'ed25519') {
    const pair = generateSshKeyPair();
    const blob = parseSshPublicKey(pair.publicKey).blob;
    return { privateKey: pair.privateKey, fingerprint: createHash('sha256').update(blob).digest('base64'), publicKey: `${pair.publicKey} ${name}` };
  }
  // 1024-bit, so the emulator answers in milliseconds (EC2's keys are 2048-bit; the format is the same).
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
  const jwk = publicKey.export({ format: 'jwk' });
  const blob = Buffer.concat([sshString('ssh-rsa'), sshString(mpint(Buffer.from(String(jwk.e), 'base64url'))), sshString(mpint(Buffer.from(String(jwk.n), 'base64url')))]);
  return {
    privateKey: String(privateKey.export({ type: 'pkcs1', format: 'pem' })).trimEnd(),
    // EC2: the SHA-1 of the DER private key (PKCS#8) for keys it creates.
    fingerprint: colonHex(createHash('sha1').update(privateKey.export({ type: 'pkcs8', format: 'der' })).digest()),
    publicKey: `ssh-rsa ${blob.toString('base64')} ${name}`,
  };
}

/** EC2's volumes, snapshots, key pairs and region images. */
export class Ec2Resources {
  constructor(
    private readonly state: Ec2State,
    private readonly options: () => ResolvedOptions,
    /** The instances of a region by id, with EC2's errors for malformed and missing ids. */
    private readonly findInstances: (region: Ec2Region, ids: string[]) => Instance[],
  ) {}

  /** The actions this module answers. */
  actions(): Record<string, ResourceAction> {
    return {
      CreateVolume: (p, r, now) => this.createVolume(p, r, now),
      DescribeVolumes: (p, r, now) => this.describeVolumes(p, r, now),
      AttachVolume: (p, r, now) => this.attachVolume(p, r, now),
      DetachVolume: (p, r, now) => this.detachVolume(p, r, now),
      DeleteVolume: (p, r, now) => this.deleteVolume(p, r, now),
      CreateSnapshot: (p, r, now) => this.createSnapshot(p, r, now),
      DescribeSnapshots: (p, r, now) => this.describeSnapshots(p, r, now),
      DeleteSnapshot: (p, r) => this.deleteSnapshot(p, r),
      CreateKeyPair: (p, r, now) => this.createKeyPair(p, r, now),
      ImportKeyPair: (p, r, now) => this.importKeyPair(p, r, now),
      DescribeKeyPairs: (p, r) => this.describeKeyPairs(p, r),
      DeleteKeyPair: (p, r) => this.deleteKeyPair(p, r),
      CreateImage: (p, r, now) => this.createImage(p, r, now),
      CopyImage: (p, r, now) => this.copyImage(p, r, now),
      DeregisterImage: (p, r) => this.deregisterImage(p, r),
    };
  }

  // ---- lifecycles -------------------------------------------------------------------------------------------

  /** A volume's status at `now` (`creating`, `available`, `in-use`), advancing timed transitions. */
  volumeStatus(v: Volume, now: number): 'creating' | 'available' | 'in-use' {
    if (v.availableAt !== undefined) {
      if (now < v.availableAt) return 'creating';
      v.availableAt = undefined;
    }
    const a = v.attachment;
    if (a?.transitionAt !== undefined && now >= a.transitionAt) {
      if (a.state === 'detaching') v.attachment = undefined;
      else {
        a.state = 'attached';
        a.transitionAt = undefined;
      }
    }
    return v.attachment ? 'in-use' : 'available';
  }

  /** An image's state at `now`. */
  imageState(i: UserImage, now: number): 'pending' | 'available' {
    if (i.availableAt !== undefined) {
      if (now < i.availableAt) return 'pending';
      i.availableAt = undefined;
    }
    return 'available';
  }

  /** A terminated instance's volumes are detached (EBS data volumes outlive the instance). */
  onTerminate(region: Ec2Region, instance: Instance, now: number): void {
    for (const v of region.volumes.values()) {
      this.volumeStatus(v, now);
      if (v.attachment?.instanceId === instance.id && v.attachment.state !== 'detaching') {
        v.attachment.state = 'detaching';
        v.attachment.transitionAt = now + this.state.transitionMs;
      }
    }
  }

  /** The region's images (available or pending) for DescribeImages, with their state. */
  regionImages(region: Ec2Region, now: number): Array<{ image: UserImage; state: string }> {
    return [...region.images.values()].sort((a, b) => a.seq - b.seq).map((image) => ({ image, state: this.imageState(image, now) }));
  }

  /** An image RunInstances may launch from: the catalog, or an available image of the region. */
  launchableImage(region: Ec2Region, id: string, now: number): Image | undefined {
    const catalog = IMAGES.find((i) => i.id === id);
    if (catalog) return catalog;
    const own = region.images.get(id);
    if (!own) return undefined;
    if (this.imageState(own, now) !== 'available') throw new ApiError(400, 'InvalidAMIID.Unavailable', `The image id '[${id}]' is not available yet`);
    return own;
  }

  /** The tags of a volume, snapshot or image of the region (CreateTags / DeleteTags), if the id is one. */
  tagsOf(region: Ec2Region, id: string): Map<string, string> | undefined {
    if (id.startsWith('vol-')) return this.volume(region, id).tags;
    if (id.startsWith('snap-')) return this.snapshot(region, id).tags;
    if (id.startsWith('ami-')) {
      const image = region.images.get(id);
      if (!image) throw new ApiError(400, 'InvalidAMIID.NotFound', `The image id '[${id}]' does not exist`);
      return image.tags;
    }
    return undefined;
  }

  // ---- volumes ----------------------------------------------------------------------------------------------

  private volume(region: Ec2Region, id: string): Volume {
    if (!/^vol-[0-9a-f]{8,17}$/.test(id)) throw new ApiError(400, 'InvalidVolume.Malformed', `Invalid id: "${id}" (expecting "vol-...")`);
    const v = region.volumes.get(id);
    if (!v) throw new ApiError(400, 'InvalidVolume.NotFound', `The volume '${id}' does not exist.`);
    return v;
  }

  private volumeXml(v: Volume, now: number): XmlObject {
    const status = this.volumeStatus(v, now);
    const a = v.attachment;
    return {
      volumeId: v.id,
      size: v.size,
      snapshotId: v.snapshotId ?? '',
      availabilityZone: v.zone,
      status,
      createTime: iso(v.createTime),
      attachmentSet: a ? { item: { volumeId: v.id, instanceId: a.instanceId, device: a.device, status: a.state, attachTime: iso(a.attachTime), deleteOnTermination: false } } : '',
      tagSet: tagSetXml(v.tags),
      volumeType: v.volumeType,
      iops: v.iops,
      throughput: v.throughput,
      encrypted: v.encrypted,
      kmsKeyId: v.kmsKeyId,
      multiAttachEnabled: false,
    };
  }

  private createVolume(p: Params, region: Ec2Region, now: number): XmlObject {
    const token = p.get('ClientToken') || undefined;
    if (token && region.resourceTokens.has(token)) {
      const known = region.volumes.get(region.resourceTokens.get(token)!);
      if (known) return this.volumeXml(known, now);
    }
    const zone = required(p, 'AvailabilityZone');
    if (!this.zones(region).includes(zone)) throw new ApiError(400, 'InvalidZone.NotFound', `The zone '${zone}' does not exist.`);
    const snapshotId = p.get('SnapshotId') || undefined;
    const snapshot = snapshotId === undefined ? undefined : this.snapshot(region, snapshotId);
    const size = p.has('Size') ? intParam(p, 'Size', 1, 16_384) : snapshot?.volumeSize;
    if (size === undefined) throw new ApiError(400, 'MissingParameter', 'The request must contain the parameter size or snapshotId');
    if (snapshot && size < snapshot.volumeSize) {
      throw new ApiError(400, 'InvalidParameterValue', `Volume of ${size}GiB is too small; minimum is ${snapshot.volumeSize}GiB`);
    }
    const volumeType = p.get('VolumeType') ?? 'gp2';
    if (!VOLUME_TYPES.has(volumeType)) throw new ApiError(400, 'InvalidParameterValue', `Value (${volumeType}) for parameter volumeType is invalid.`);
    const iops = p.has('Iops') ? intParam(p, 'Iops', 100, 256_000) : volumeType === 'gp3' ? 3000 : volumeType === 'gp2' ? Math.max(100, Math.min(16_000, size * 3)) : undefined;
    const encrypted = p.get('Encrypted');
    if (encrypted !== null && encrypted !== 'true' && encrypted !== 'false') throw new ApiError(400, 'InvalidParameterValue', `Value (${encrypted}) for parameter encrypted is invalid.`);
    const seq = this.state.nextSeq();
    const volume: Volume = {
      id: this.state.nextId('vol'),
      seq,
      size,
      zone,
      ...(snapshotId ? { snapshotId } : {}),
      volumeType,
      ...(iops !== undefined ? { iops } : {}),
      ...(p.has('Throughput') ? { throughput: intParam(p, 'Throughput', 125, 1000) } : volumeType === 'gp3' ? { throughput: 125 } : {}),
      encrypted: encrypted === 'true' || Boolean(snapshot?.encrypted),
      ...(p.get('KmsKeyId') ? { kmsKeyId: p.get('KmsKeyId')! } : {}),
      createTime: new Date(now),
      tags: specTags(p, 'volume'),
      availableAt: now + this.state.transitionMs,
    };
    region.volumes.set(volume.id, volume);
    if (token) region.rememberToken(token, volume.id);
    return this.volumeXml(volume, now);
  }

  private describeVolumes(p: Params, region: Ec2Region, now: number): XmlObject {
    const ids = listParam(p, 'VolumeId');
    let volumes = ids.length > 0 ? [...new Set(ids)].map((id) => this.volume(region, id)) : [...region.volumes.values()].sort((a, b) => a.seq - b.seq);
    const filters = filterParams(p);
    volumes = volumes.filter((v) => filters.every((f) => this.matchVolume(v, f, now)));
    const page = pageOf(p, volumes, region.name, 'volume', 5, 500, ids.length > 0);
    return { volumeSet: { item: page.items.map((v) => this.volumeXml(v, now)) }, nextToken: page.nextToken };
  }

  private matchVolume(v: Volume, f: Filter, now: number): boolean {
    if (f.name.startsWith('tag:')) return matchAny(f, v.tags.get(f.name.slice(4)));
    if (f.name === 'tag-key') return [...v.tags.keys()].some((k) => matchAny(f, k));
    const fields: Record<string, string | undefined> = {
      'volume-id': v.id,
      status: this.volumeStatus(v, now),
      'availability-zone': v.zone,
      size: String(v.size),
      'snapshot-id': v.snapshotId,
      'volume-type': v.volumeType,
      encrypted: String(v.encrypted),
      'attachment.instance-id': v.attachment?.instanceId,
      'attachment.device': v.attachment?.device,
      'attachment.status': v.attachment?.state,
    };
    if (!(f.name in fields)) throw new ApiError(400, 'InvalidParameterValue', `The filter '${f.name}' is invalid`);
    return matchAny(f, fields[f.name]);
  }

  /**
   * AttachVolume: the volume must be `available` and in the instance's zone, the instance `running` (this
   * emulator also refuses a stopped one, though EC2 attaches to stopped instances), the device free.
   */
  private attachVolume(p: Params, region: Ec2Region, now: number): XmlObject {
    const volume = this.volume(region, required(p, 'VolumeId'));
    const [instance] = this.findInstances(region, [required(p, 'InstanceId')]);
    const device = required(p, 'Device');
    if (!DEVICE_NAME.test(device)) throw new ApiError(400, 'InvalidParameterValue', `Value (${device}) for parameter device is invalid. ${device} is not a valid EBS device name.`);
    const state: InstanceStateName = this.state.stateOf(instance!, now);
    if (state !== 'running') throw new ApiError(400, 'IncorrectInstanceState', `The instance '${instance!.id}' is not 'running'.`);
    const status = this.volumeStatus(volume, now);
    if (status !== 'available') throw new ApiError(400, status === 'in-use' ? 'VolumeInUse' : 'IncorrectState', `vol '${volume.id}' is ${status === 'in-use' ? `already attached to an instance` : `not 'available' (it is '${status}')`}`);
    if (volume.zone !== instance!.availabilityZone) {
      throw new ApiError(400, 'InvalidVolume.ZoneMismatch', `The volume '${volume.id}' is not in the same availability zone as instance '${instance!.id}'`);
    }
    const taken = ROOT_DEVICES.has(device) || [...region.volumes.values()].some((v) => v !== volume && this.volumeStatus(v, now) === 'in-use' && v.attachment?.instanceId === instance!.id && v.attachment.device === device);
    if (taken) throw new ApiError(400, 'InvalidParameterValue', `Invalid value '${device}' for unixDevice. Attachment point ${device} is already in use`);
    volume.attachment = { instanceId: instance!.id, device, attachTime: new Date(now), state: 'attaching', transitionAt: now + this.state.transitionMs };
    return { volumeId: volume.id, instanceId: instance!.id, device, status: 'attaching', attachTime: iso(volume.attachment.attachTime) };
  }

  private detachVolume(p: Params, region: Ec2Region, now: number): XmlObject {
    const volume = this.volume(region, required(p, 'VolumeId'));
    const status = this.volumeStatus(volume, now);
    const a = volume.attachment;
    if (!a || a.state === 'detaching') throw new ApiError(400, 'IncorrectState', `Volume '${volume.id}' is in the '${a ? 'detaching' : status}' state.`);
    const instanceId = p.get('InstanceId');
    if (instanceId && instanceId !== a.instanceId) throw new ApiError(400, 'InvalidAttachment.NotFound', `The volume '${volume.id}' is not attached to instance '${instanceId}'`);
    a.state = 'detaching';
    a.transitionAt = now + this.state.transitionMs;
    return { volumeId: volume.id, instanceId: a.instanceId, device: a.device, status: 'detaching', attachTime: iso(a.attachTime) };
  }

  private deleteVolume(p: Params, region: Ec2Region, now: number): XmlObject {
    const volume = this.volume(region, required(p, 'VolumeId'));
    if (this.volumeStatus(volume, now) === 'in-use') throw new ApiError(400, 'VolumeInUse', `Volume ${volume.id} is currently attached to ${volume.attachment!.instanceId}`);
    region.volumes.delete(volume.id);
    return { return: true };
  }

  private zones(region: Ec2Region): string[] {
    return ['a', 'b', 'c'].map((z) => `${region.name}${z}`);
  }

  // ---- snapshots --------------------------------------------------------------------------------------------

  private snapshot(region: Ec2Region, id: string): Snapshot {
    if (!/^snap-[0-9a-f]{8,17}$/.test(id)) throw new ApiError(400, 'InvalidSnapshot.Malformed', `Invalid id: "${id}" (expecting "snap-...")`);
    const s = region.snapshots.get(id);
    if (!s) throw new ApiError(400, 'InvalidSnapshot.NotFound', `The snapshot '${id}' does not exist.`);
    return s;
  }

  private snapshotXml(s: Snapshot, now: number): XmlObject {
    const done = now >= s.completesAt;
    return {
      snapshotId: s.id,
      volumeId: s.volumeId,
      status: done ? 'completed' : 'pending',
      startTime: iso(s.startTime),
      progress: done ? '100%' : '0%',
      ownerId: ACCOUNT_ID,
      volumeSize: s.volumeSize,
      description: s.description,
      encrypted: s.encrypted,
      storageTier: 'standard',
      tagSet: tagSetXml(s.tags),
    };
  }

  private createSnapshot(p: Params, region: Ec2Region, now: number): XmlObject {
    const volume = this.volume(region, required(p, 'VolumeId'));
    if (this.volumeStatus(volume, now) === 'creating') throw new ApiError(400, 'IncorrectState', `The volume '${volume.id}' is not in a state to snapshot ('creating').`);
    const description = p.get('Description') ?? '';
    if (description.length > 255) throw new ApiError(400, 'InvalidParameterValue', 'The description is longer than 255 characters.');
    const snapshot: Snapshot = {
      id: this.state.nextId('snap'),
      seq: this.state.nextSeq(),
      volumeId: volume.id,
      volumeSize: volume.size,
      description,
      startTime: new Date(now),
      encrypted: volume.encrypted,
      tags: specTags(p, 'snapshot'),
      completesAt: now + this.state.transitionMs,
    };
    region.snapshots.set(snapshot.id, snapshot);
    return this.snapshotXml(snapshot, now);
  }

  private describeSnapshots(p: Params, region: Ec2Region, now: number): XmlObject {
    const ids = listParam(p, 'SnapshotId');
    const owners = listParam(p, 'Owner');
    let snapshots = ids.length > 0 ? [...new Set(ids)].map((id) => this.snapshot(region, id)) : [...region.snapshots.values()].sort((a, b) => a.seq - b.seq);
    // Every snapshot here is the account's own: `self` or the account id keep them, any other owner none.
    if (owners.length > 0 && !owners.some((o) => o === 'self' || o === ACCOUNT_ID)) snapshots = [];
    const filters = filterParams(p);
    snapshots = snapshots.filter((s) => filters.every((f) => this.matchSnapshot(s, f, now)));
    const page = pageOf(p, snapshots, region.name, 'snapshot', 5, 1000, ids.length > 0);
    return { snapshotSet: { item: page.items.map((s) => this.snapshotXml(s, now)) }, nextToken: page.nextToken };
  }

  private matchSnapshot(s: Snapshot, f: Filter, now: number): boolean {
    if (f.name.startsWith('tag:')) return matchAny(f, s.tags.get(f.name.slice(4)));
    if (f.name === 'tag-key') return [...s.tags.keys()].some((k) => matchAny(f, k));
    const fields: Record<string, string | undefined> = {
      'snapshot-id': s.id,
      'volume-id': s.volumeId,
      status: now >= s.completesAt ? 'completed' : 'pending',
      'owner-id': ACCOUNT_ID,
      description: s.description,
      'volume-size': String(s.volumeSize),
      encrypted: String(s.encrypted),
    };
    if (!(f.name in fields)) throw new ApiError(400, 'InvalidParameterValue', `The filter '${f.name}' is invalid`);
    return matchAny(f, fields[f.name]);
  }

  private deleteSnapshot(p: Params, region: Ec2Region): XmlObject {
    const snapshot = this.snapshot(region, required(p, 'SnapshotId'));
    region.snapshots.delete(snapshot.id);
    return { return: true };
  }

  // ---- key pairs --------------------------------------------------------------------------------------------

  private keyName(p: Params): string {
    const name = required(p, 'KeyName');
    if (name.length > 255 || !/^[\x20-\x7e]+$/.test(name)) throw new ApiError(400, 'InvalidParameterValue', `Value (${name.slice(0, 40)}) for parameter keyName is invalid. Only ASCII, at most 255 characters.`);
    return name;
  }

  private keyPairXml(k: KeyPairRecord, withPublicKey: boolean): XmlObject {
    return {
      keyPairId: k.id,
      keyType: k.keyType,
      tagSet: tagSetXml(k.tags),
      keyName: k.name,
      keyFingerprint: k.fingerprint,
      publicKey: withPublicKey ? k.publicKey : undefined,
      createTime: iso(k.createTime),
    };
  }

  private addKeyPair(region: Ec2Region, p: Params, record: Omit<KeyPairRecord, 'id' | 'tags'>): KeyPairRecord {
    if (region.keyPairs.has(record.name)) throw new ApiError(400, 'InvalidKeyPair.Duplicate', `The keypair '${record.name}' already exists.`);
    const stored: KeyPairRecord = { ...record, id: this.state.nextId('key'), tags: specTags(p, 'key-pair') };
    region.keyPairs.set(stored.name, stored);
    return stored;
  }

  /** CreateKeyPair: the private key is in the answer only, never kept. */
  private createKeyPair(p: Params, region: Ec2Region, now: number): XmlObject {
    const name = this.keyName(p);
    const keyType = p.get('KeyType') ?? 'rsa';
    if (keyType !== 'rsa' && keyType !== 'ed25519') throw new ApiError(400, 'InvalidParameterValue', `Value (${keyType}) for parameter keyType is invalid.`);
    const format = p.get('KeyFormat') ?? 'pem';
    if (format !== 'pem') throw new ApiError(400, 'InvalidParameterValue', `Value (${format}) for parameter keyFormat is not supported here: only pem.`);
    if (region.keyPairs.has(name)) throw new ApiError(400, 'InvalidKeyPair.Duplicate', `The keypair '${name}' already exists.`);
    const key = generatedKey(keyType, name);
    const stored = this.addKeyPair(region, p, { name, fingerprint: key.fingerprint, publicKey: key.publicKey, keyType, createTime: new Date(now) });
    return { keyName: stored.name, keyFingerprint: stored.fingerprint, keyMaterial: key.privateKey, keyPairId: stored.id, tagSet: tagSetXml(stored.tags) };
  }

  private importKeyPair(p: Params, region: Ec2Region, now: number): XmlObject {
    const name = this.keyName(p);
    const material = Buffer.from(required(p, 'PublicKeyMaterial'), 'base64').toString('utf8');
    let key: SshPublicKey;
    try {
      key = parseSshPublicKey(material);
    } catch {
      throw new ApiError(400, 'InvalidKey.Format', 'Key is not in valid OpenSSH public key format');
    }
    if (key.type !== 'ssh-rsa' && key.type !== 'ssh-ed25519') throw new ApiError(400, 'InvalidKey.Format', `Key type ${key.type} is not supported: import an RSA or ED25519 key.`);
    const stored = this.addKeyPair(region, p, {
      name,
      fingerprint: importedFingerprint(key),
      publicKey: material.trim(),
      keyType: key.type === 'ssh-rsa' ? 'rsa' : 'ed25519',
      createTime: new Date(now),
    });
    return { keyFingerprint: stored.fingerprint, keyName: stored.name, keyPairId: stored.id, tagSet: tagSetXml(stored.tags) };
  }

  private describeKeyPairs(p: Params, region: Ec2Region): XmlObject {
    const names = listParam(p, 'KeyName');
    const ids = listParam(p, 'KeyPairId');
    let keys = [...region.keyPairs.values()];
    if (names.length > 0) {
      const missing = names.find((n) => !region.keyPairs.has(n));
      if (missing !== undefined) throw new ApiError(400, 'InvalidKeyPair.NotFound', `The key pair '${missing}' does not exist`);
      keys = keys.filter((k) => names.includes(k.name));
    }
    if (ids.length > 0) {
      const missing = ids.find((id) => !keys.some((k) => k.id === id));
      if (missing !== undefined) throw new ApiError(400, 'InvalidKeyPair.NotFound', `The key pair '${missing}' does not exist`);
      keys = keys.filter((k) => ids.includes(k.id));
    }
    const filters = filterParams(p);
    keys = keys.filter((k) =>
      filters.every((f) => {
        if (f.name.startsWith('tag:')) return matchAny(f, k.tags.get(f.name.slice(4)));
        const fields: Record<string, string> = { 'key-name': k.name, fingerprint: k.fingerprint, 'key-pair-id': k.id, 'key-type': k.keyType };
        if (!(f.name in fields)) throw new ApiError(400, 'InvalidParameterValue', `The filter '${f.name}' is invalid`);
        return matchAny(f, fields[f.name]);
      }),
    );
    const withPublicKey = p.get('IncludePublicKey') === 'true';
    return { keySet: { item: keys.map((k) => this.keyPairXml(k, withPublicKey)) } };
  }

  /** DeleteKeyPair by name or id; EC2 answers true whether or not the key existed. */
  private deleteKeyPair(p: Params, region: Ec2Region): XmlObject {
    const name = p.get('KeyName');
    const id = p.get('KeyPairId');
    if (!name && !id) throw new ApiError(400, 'MissingParameter', 'The request must contain the parameter KeyName or KeyPairId');
    const found = [...region.keyPairs.values()].find((k) => k.name === name || k.id === id);
    if (found) region.keyPairs.delete(found.name);
    return { return: true, keyPairId: found?.id };
  }

  // ---- images -----------------------------------------------------------------------------------------------

  private amiName(p: Params, region: Ec2Region): string {
    const name = required(p, 'Name');
    if (!AMI_NAME.test(name)) throw new ApiError(400, 'InvalidAMIName.Malformed', `AMI names must be between 3 and 128 characters long, and may contain letters, numbers, '(', ')', '.', '-', '/' and '_'`);
    if ([...region.images.values()].some((i) => i.name === name)) throw new ApiError(400, 'InvalidAMIName.Duplicate', `AMI name ${name} is already in use by AMI ${[...region.images.values()].find((i) => i.name === name)!.id}`);
    return name;
  }

  private description(p: Params): string {
    const description = p.get('Description') ?? '';
    if (description.length > 255) throw new ApiError(400, 'InvalidParameterValue', 'The description is longer than 255 characters.');
    return description;
  }

  private addImage(region: Ec2Region, fields: Omit<UserImage, 'id' | 'seq' | 'ownerId' | 'creationDate' | 'availableAt'>, now: number): UserImage {
    const image: UserImage = { ...fields, id: this.state.nextId('ami'), seq: this.state.nextSeq(), ownerId: ACCOUNT_ID, creationDate: new Date(now).toISOString(), availableAt: now + this.state.transitionMs };
    region.images.set(image.id, image);
    return image;
  }

  /** CreateImage of a running or stopped instance; the image is `pending` for the boot delay. */
  private createImage(p: Params, region: Ec2Region, now: number): XmlObject {
    const [instance] = this.findInstances(region, [required(p, 'InstanceId')]);
    const state = this.state.stateOf(instance!, now);
    if (state !== 'running' && state !== 'stopped') throw new ApiError(400, 'IncorrectInstanceState', `The instance '${instance!.id}' is not in a state from which an image can be created ('${state}').`);
    const name = this.amiName(p, region);
    const source = IMAGES.find((i) => i.id === instance!.imageId) ?? region.images.get(instance!.imageId);
    const image = this.addImage(region, { name, description: this.description(p), architecture: source?.architecture ?? 'x86_64', tags: specTags(p, 'image'), sourceInstanceId: instance!.id }, now);
    return { imageId: image.id };
  }

  /** CopyImage, answered in the destination region (the one the request is signed for). */
  private copyImage(p: Params, region: Ec2Region, now: number): XmlObject {
    const token = p.get('ClientToken') || undefined;
    if (token && region.resourceTokens.has(token)) return { imageId: region.resourceTokens.get(token)! };
    const sourceRegion = required(p, 'SourceRegion');
    if (!this.options().regions.includes(sourceRegion)) throw new ApiError(400, 'InvalidRequest', `The source region '${sourceRegion}' is not a valid region.`);
    const sourceId = required(p, 'SourceImageId');
    if (!/^ami-[0-9a-f]{8,17}$/.test(sourceId)) throw new ApiError(400, 'InvalidAMIID.Malformed', `Invalid id: "${sourceId}" (expecting "ami-...")`);
    const fromRegion = this.state.region(sourceRegion);
    const source: Image | undefined = IMAGES.find((i) => i.id === sourceId) ?? fromRegion.images.get(sourceId);
    if (!source) throw new ApiError(400, 'InvalidAMIID.NotFound', `The image id '[${sourceId}]' does not exist in ${sourceRegion}`);
    const own = fromRegion.images.get(sourceId);
    if (own && this.imageState(own, now) !== 'available') throw new ApiError(400, 'IncorrectState', `Image ${sourceId} is not in a valid state ('pending') to copy.`);
    const image = this.addImage(region, { name: this.amiName(p, region), description: this.description(p), architecture: source.architecture, tags: new Map(), sourceRegion, sourceImageId: sourceId }, now);
    if (token) region.rememberToken(token, image.id);
    return { imageId: image.id };
  }

  private deregisterImage(p: Params, region: Ec2Region): XmlObject {
    const id = required(p, 'ImageId');
    if (!/^ami-[0-9a-f]{8,17}$/.test(id)) throw new ApiError(400, 'InvalidAMIID.Malformed', `Invalid id: "${id}" (expecting "ami-...")`);
    if (!region.images.delete(id)) {
      if (IMAGES.some((i) => i.id === id)) throw new ApiError(400, 'OperationNotPermitted', `You do not own image ${id}, so you cannot deregister it.`);
      throw new ApiError(400, 'InvalidAMIID.NotFound', `The image id '[${id}]' does not exist`);
    }
    return { return: true };
  }
}
