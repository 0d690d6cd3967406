/**
 * EC2 response parsers: small pure functions over xml2js documents (Libcloud's `_to_node`, `_to_image`, ...).
 * @module
 */
import {
  asArray,
  KeyPair,
  MalformedResponseError,
  Node,
  NodeImage,
  NodeLocation,
  NodeState,
  StorageVolume,
  StorageVolumeState,
  VolumeSnapshot,
  VolumeSnapshotState,
  xmlText,
  type HttpResponse,
  type KeyPairOps,
  type NodeLifecycle,
  type ProviderErrorInfo,
  type VolumeOps,
  type VolumeSnapshotOps,
  type XmlDocument,
} from '@dualcloud/core';
import { EC2_NODE_STATE_MAP, EC2_SNAPSHOT_STATE_MAP, EC2_VOLUME_STATE_MAP } from './constants.js';

type Element = Record<string, any>;

/** Non-empty text of an element, or undefined (xml2js gives `''` for `<a/>`). */
export function text(value: unknown): string | undefined {
  const t = xmlText(value);
  return t === undefined || t === '' ? undefined : t;
}

/** The `item` children of an EC2 `...Set` element. */
export function items(set: unknown): Element[] {
  if (set === undefined || set === null || typeof set !== 'object') return [];
  return asArray((set as Element).item).filter((i): i is Element => typeof i === 'object' && i !== null);
}

/** The body of a successful response, checked to be the expected `<Action>Response` document. */
export function responseRoot(response: HttpResponse, action: string): Element {
  const doc: XmlDocument = response.xml();
  const root = doc[`${action}Response`];
  if (root === undefined || root === null || typeof root !== 'object') {
    const found = Object.keys(doc)[0] ?? 'nothing';
    throw new MalformedResponseError(`ec2: expected a ${action}Response document, got ${found}`, {
      provider: 'ec2',
      status: response.status,
      code: 'UnexpectedDocument',
      retryable: false,
    });
  }
  return root as Element;
}

/** The `nextToken` of a Describe* page, if any. */
export function nextToken(root: Element): string | undefined {
  return text(root.nextToken);
}

/** Parses an EC2 error document `<Response><Errors><Error><Code/><Message/></Error></Errors><RequestID/></Response>`. */
export function parseEC2Error(response: HttpResponse): ProviderErrorInfo | undefined {
  const doc = response.xml();
  const root = (doc.Response ?? doc.ErrorResponse) as Element | undefined;
  if (!root || typeof root !== 'object') return undefined;
  const error = (asArray((root.Errors as Element | undefined)?.Error)[0] ?? root.Error) as Element | undefined;
  const info: { code?: string; message?: string; requestId?: string } = {};
  const code = text(error?.Code);
  const message = text(error?.Message);
  const requestId = text(root.RequestID) ?? text(root.RequestId);
  if (code !== undefined) info.code = code;
  if (message !== undefined) info.message = message;
  if (requestId !== undefined) info.requestId = requestId;
  return info;
}

/** Tags of a resource (`tagSet`) as a record. */
export function tagsOf(element: Element): Record<string, string> {
  const tags: Record<string, string> = {};
  for (const tag of items(element.tagSet)) {
    const key = text(tag.key);
    if (key !== undefined) tags[key] = text(tag.value) ?? '';
  }
  return tags;
}

/** One instance (`instancesSet/item`) as a node; `name` is the `Name` tag, else the instance id (as Libcloud). */
export function toNode(element: Element, driver: NodeLifecycle): Node {
  const id = text(element.instanceId);
  if (id === undefined) throw new MalformedResponseError('ec2: an instance has no instanceId', { provider: 'ec2', code: 'UnexpectedDocument' });
  const status = text(element.instanceState?.name);
  const tags = tagsOf(element);
  const publicIps = publicIpsOf(element);
  const privateIp = text(element.privateIpAddress);
  const launchTime = text(element.launchTime);
  const createdAt = launchTime === undefined ? undefined : new Date(launchTime);
  const instanceType = text(element.instanceType);
  const imageId = text(element.imageId);
  return new Node(
    {
      id,
      name: tags.Name ?? id,
      state: (status !== undefined ? EC2_NODE_STATE_MAP[status] : undefined) ?? NodeState.UNKNOWN,
      publicIps,
      privateIps: privateIp ? [privateIp] : [],
      ...(instanceType !== undefined ? { size: instanceType } : {}),
      ...(imageId !== undefined ? { image: imageId } : {}),
      ...(createdAt !== undefined && !Number.isNaN(createdAt.getTime()) ? { createdAt } : {}),
      extra: {
        status,
        availability: text(element.placement?.availabilityZone),
        architecture: text(element.architecture),
        clientToken: text(element.clientToken),
        dnsName: text(element.dnsName),
        privateDns: text(element.privateDnsName),
        imageId,
        instanceType,
        keyName: text(element.keyName),
        launchTime,
        rootDeviceType: text(element.rootDeviceType),
        subnetId: text(element.subnetId),
        vpcId: text(element.vpcId),
        groups: items(element.groupSet).map((g) => ({ groupId: text(g.groupId), groupName: text(g.groupName) })),
        tags,
      },
    },
    driver,
  );
}

/** Every instance of a DescribeInstances (or RunInstances) document. */
export function toNodes(root: Element, driver: NodeLifecycle): Node[] {
  const reservations = root.reservationSet !== undefined ? items(root.reservationSet) : [root];
  return reservations.flatMap((r) => items(r.instancesSet).map((i) => toNode(i, driver)));
}

/** One image (`imagesSet/item`). */
export function toImage(element: Element, driver: object): NodeImage {
  const id = text(element.imageId);
  if (id === undefined) throw new MalformedResponseError('ec2: an image has no imageId', { provider: 'ec2', code: 'UnexpectedDocument' });
  return new NodeImage(id, text(element.name) ?? '', driver, {
    state: text(element.imageState),
    ownerId: text(element.imageOwnerId),
    ownerAlias: text(element.imageOwnerAlias),
    isPublic: text(element.isPublic),
    architecture: text(element.architecture),
    imageType: text(element.imageType),
    imageLocation: text(element.imageLocation),
    platform: text(element.platform),
    description: text(element.description),
    rootDeviceType: text(element.rootDeviceType),
    virtualizationType: text(element.virtualizationType),
    hypervisor: text(element.hypervisor),
    tags: tagsOf(element),
  });
}

/** Availability zones as locations; ids are the zone's index, as in Libcloud. */
export function toLocations(root: Element, country: string, driver: object): NodeLocation[] {
  return items(root.availabilityZoneInfo).map((zone, index) => {
    const name = text(zone.zoneName) ?? '';
    return new NodeLocation(String(index), name, country, driver, {
      availabilityZone: name,
      zoneState: text(zone.zoneState),
      regionName: text(zone.regionName),
      zoneId: text(zone.zoneId),
    });
  });
}

/**
 * Public IPs of an instance: `ipAddress`, then the elastic IPs associated with any private address of its network
 * interfaces (`association/publicIp`). Libcloud reads the same elastic IPs with a second request
 * (DescribeAddresses) and lists the primary one twice; this keeps each address once, in one request.
 */
export function publicIpsOf(element: Element): string[] {
  const ips: string[] = [];
  const add = (ip: string | undefined): void => {
    if (ip !== undefined && !ips.includes(ip)) ips.push(ip);
  };
  add(text(element.ipAddress));
  for (const eni of items(element.networkInterfaceSet)) {
    add(text(eni.association?.publicIp));
    for (const address of items(eni.privateIpAddressesSet)) add(text(address.association?.publicIp));
  }
  return ips;
}

/** Region names of a DescribeRegions document. */
export function toRegions(root: Element): string[] {
  return items(root.regionInfo)
    .map((r) => text(r.regionName))
    .filter((r): r is string => r !== undefined);
}

/** Whether a state-change response (`instancesSet/item/currentState/name`) reports one of `states`. */
export function currentStateIs(root: Element, states: readonly string[]): boolean {
  const state = text(items(root.instancesSet)[0]?.currentState?.name);
  if (state === undefined) throw new MalformedResponseError('ec2: the response names no current state', { provider: 'ec2', code: 'UnexpectedDocument' });
  return states.includes(state);
}

function malformed(message: string): MalformedResponseError {
  return new MalformedResponseError(`ec2: ${message}`, { provider: 'ec2', code: 'UnexpectedDocument' });
}

/** A whole number element, or undefined. */
function integer(value: unknown): number | undefined {
  const t = text(value);
  if (t === undefined || !/^\d+$/.test(t)) return undefined;
  return Number(t);
}

/** `true` / `false` elements as booleans, or undefined. */
function bool(value: unknown): boolean | undefined {
  const t = text(value);
  return t === 'true' ? true : t === 'false' ? false : undefined;
}

/**
 * One volume (`volumeSet/item`, or a CreateVolume document). `name` is the given name, else the `Name` tag,
 * else the volume id (as Libcloud). The first attachment's fields are in `extra` under Libcloud's names,
 * camelCased.
 */
export function toVolume(element: Element, driver: VolumeOps, name?: string): StorageVolume {
  const id = text(element.volumeId);
  if (id === undefined) throw malformed('a volume has no volumeId');
  const size = integer(element.size);
  if (size === undefined) throw malformed(`volume ${id} has no size`);
  const status = text(element.status);
  const tags = tagsOf(element);
  const attachment = items(element.attachmentSet)[0];
  return new StorageVolume(
    {
      id,
      name: name ?? tags.Name ?? id,
      size,
      state: (status !== undefined ? EC2_VOLUME_STATE_MAP[status] : undefined) ?? StorageVolumeState.UNKNOWN,
      extra: {
        state: status,
        zone: text(element.availabilityZone),
        snapshotId: text(element.snapshotId),
        createTime: text(element.createTime),
        volumeType: text(element.volumeType),
        iops: integer(element.iops),
        throughput: integer(element.throughput),
        encrypted: bool(element.encrypted),
        kmsKeyId: text(element.kmsKeyId),
        device: text(attachment?.device),
        instanceId: text(attachment?.instanceId),
        attachmentStatus: text(attachment?.status),
        attachTime: text(attachment?.attachTime),
        deleteOnTermination: bool(attachment?.deleteOnTermination),
        tags,
      },
    },
    driver,
  );
}

/** Every volume of a DescribeVolumes document. */
export function toVolumes(root: Element, driver: VolumeOps): StorageVolume[] {
  return items(root.volumeSet).map((v) => toVolume(v, driver));
}

/** One snapshot (`snapshotSet/item`, or a CreateSnapshot document); named as {@link toVolume} names volumes. */
export function toSnapshot(element: Element, driver: VolumeSnapshotOps, name?: string): VolumeSnapshot {
  const id = text(element.snapshotId);
  if (id === undefined) throw malformed('a snapshot has no snapshotId');
  const status = text(element.status);
  const tags = tagsOf(element);
  const startTime = text(element.startTime);
  const createdAt = startTime === undefined ? undefined : new Date(startTime);
  const size = integer(element.volumeSize);
  const snapshotName = name ?? tags.Name ?? id;
  return new VolumeSnapshot(
    {
      id,
      name: snapshotName,
      ...(size !== undefined ? { size } : {}),
      state: (status !== undefined ? EC2_SNAPSHOT_STATE_MAP[status] : undefined) ?? VolumeSnapshotState.UNKNOWN,
      ...(createdAt !== undefined && !Number.isNaN(createdAt.getTime()) ? { createdAt } : {}),
      extra: {
        volumeId: text(element.volumeId),
        state: status,
        description: text(element.description),
        progress: text(element.progress),
        startTime,
        ownerId: text(element.ownerId),
        encrypted: bool(element.encrypted),
        name: snapshotName,
        tags,
      },
    },
    driver,
  );
}

/** Every snapshot of a DescribeSnapshots document. */
export function toSnapshots(root: Element, driver: VolumeSnapshotOps): VolumeSnapshot[] {
  return items(root.snapshotSet).map((s) => toSnapshot(s, driver));
}

/**
 * One key pair (`keySet/item`, or a CreateKeyPair / ImportKeyPair document). `keyMaterial`, the private key
 * CreateKeyPair returns, becomes the model's non-printing `privateKey`; `publicKey` is given when known (EC2
 * returns it with `IncludePublicKey`; an import knows what it sent).
 */
export function toKeyPair(element: Element, driver: KeyPairOps, publicKey?: string): KeyPair {
  const name = text(element.keyName);
  if (name === undefined) throw malformed('a key pair has no keyName');
  const privateKey = text(element.keyMaterial);
  const given = publicKey ?? text(element.publicKey)?.trim();
  return new KeyPair(
    {
      name,
      fingerprint: text(element.keyFingerprint)?.trim() ?? '',
      ...(given !== undefined ? { publicKey: given } : {}),
      ...(privateKey !== undefined ? { privateKey } : {}),
      extra: { keyPairId: text(element.keyPairId), keyType: text(element.keyType), createTime: text(element.createTime), tags: tagsOf(element) },
    },
    driver,
  );
}

/** Every key pair of a DescribeKeyPairs document. */
export function toKeyPairs(root: Element, driver: KeyPairOps): KeyPair[] {
  return items(root.keySet).map((k) => toKeyPair(k, driver));
}

/** The `imageId` a CreateImage or CopyImage document returns. */
export function imageIdOf(root: Element): string {
  const id = text(root.imageId);
  if (id === undefined) throw malformed('the response names no imageId');
  return id;
}

/** The `return` of a Delete*, Deregister* or Attach document: true unless it says false. */
export function returned(root: Element): boolean {
  return text(root.return) !== 'false';
}
