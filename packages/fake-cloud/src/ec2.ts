/**
 * EC2 Query API (Version 2016-11-15): form-encoded actions in, XML out, SigV4 checked.
 * @see https://docs.aws.amazon.com/AWSEC2/latest/APIReference/Welcome.html
 * @module
 */
import { AuthFailure, parseSigV4, verifySigV4 } from './auth.js';
import { ACCOUNT_ID, Ec2State, IMAGES, INSTANCE_STATE_CODES, INSTANCE_TYPES, zonesOf, type Ec2Region, type Image, type Instance, type InstanceStateName } from './ec2-state.js';
import { Ec2Resources, imageXml, specTags } from './ec2-resources.js';
import type { ResolvedOptions } from './options.js';
import { decodeToken, encodeToken, filterParams, formParams, intParam, listParam, matchAny, required, type Filter, type Params } from './ec2-params.js';
import { ApiError, type FakeRequest, type FakeResponse } from './wire.js';
import { xmlDocument, type XmlObject } from './xml.js';

const XMLNS = 'http://ec2.amazonaws.com/doc/2016-11-15/';

type ActionHandler = (p: Params, region: Ec2Region, req: FakeRequest) => XmlObject;

/** The EC2 emulator. */
export class Ec2Api {
  private readonly state: Ec2State;
  private readonly actions: Record<string, ActionHandler> = {
    DescribeInstances: (p, r, q) => this.describeInstances(p, r, q.now),
    RunInstances: (p, r, q) => this.runInstances(p, r, q.now),
    StartInstances: (p, r, q) => this.changeStates(p, r, q.now, 'start'),
    StopInstances: (p, r, q) => this.changeStates(p, r, q.now, 'stop'),
    TerminateInstances: (p, r, q) => this.changeStates(p, r, q.now, 'terminate'),
    RebootInstances: (p, r, q) => this.reboot(p, r, q.now),
    DescribeImages: (p, r, q) => this.describeImages(p, r, q.now),
    DescribeInstanceTypes: (p) => describeInstanceTypes(p),
    DescribeAvailabilityZones: (_p, r) => ({ availabilityZoneInfo: { item: zonesOf(r.name).map((z, k) => zone(r.name, z, k)) } }),
    DescribeRegions: () => ({ regionInfo: { item: this.options().regions.map(regionItem) } }),
    CreateTags: (p, r) => this.tags(p, r, 'create'),
    DeleteTags: (p, r) => this.tags(p, r, 'delete'),
  };

  /** Volumes, snapshots, key pairs and region images. */
  private readonly resources: Ec2Resources;

  constructor(private readonly options: () => ResolvedOptions) {
    this.state = new Ec2State(
      () => options().nodeBootMs,
      () => options().maxNodes,
    );
    this.resources = new Ec2Resources(this.state, options, (region, ids) => this.find(region, ids, true));
    for (const [name, action] of Object.entries(this.resources.actions())) this.actions[name] = (p, r, q) => action(p, r, q.now);
  }

  /** Handles one request: checks the signature, runs the action, renders XML. */
  handle(req: FakeRequest): FakeResponse {
    const auth = parseSigV4(req);
    if (!auth) throw new AuthFailure('missing', 'AWS was not able to validate the provided access credentials.');
    verifySigV4(req, auth, this.options().credentials.aws, this.options().maxClockSkewMs);
    const params = formParams(req);
    const action = params.get('Action');
    if (!action) throw new ApiError(400, 'MissingAction', 'The request must contain the parameter Action.');
    const handler = Object.prototype.hasOwnProperty.call(this.actions, action) ? this.actions[action] : undefined;
    if (!handler) throw new ApiError(400, 'InvalidAction', `The action ${action} is not valid for this web service.`);
    const body = handler(params, this.state.region(auth.region), req);
    return xmlResponse(200, xmlDocument(`${action}Response`, { requestId: req.requestId, ...body }, XMLNS));
  }

  /** Renders an error the way EC2 does. */
  error(e: ApiError, req: FakeRequest): FakeResponse {
    const res = xmlResponse(e.status, xmlDocument('Response', { Errors: { Error: { Code: e.code, Message: e.message } }, RequestID: req.requestId }));
    Object.assign(res.headers, e.headers);
    return res;
  }

  /** Maps an authentication failure to EC2's status and code. */
  authError(e: AuthFailure): ApiError {
    if (e.kind === 'bad-signature') return new ApiError(403, 'SignatureDoesNotMatch', e.message);
    if (e.kind === 'skew' || e.kind === 'expired') return new ApiError(400, 'RequestExpired', e.message);
    if (e.kind === 'malformed') return new ApiError(400, 'IncompleteSignature', e.message);
    return new ApiError(401, 'AuthFailure', 'AWS was not able to validate the provided access credentials');
  }

  private describeInstances(p: Params, region: Ec2Region, now: number): XmlObject {
    const ids = listParam(p, 'InstanceId');
    const maxResults = p.get('MaxResults');
    let instances: Instance[];
    if (ids.length > 0) {
      if (maxResults !== null) throw new ApiError(400, 'InvalidParameterCombination', 'The parameter instancesSet cannot be used with the parameter maxResults');
      instances = this.find(region, ids);
    } else {
      instances = [...region.instances.values()].sort((a, b) => a.seq - b.seq);
    }
    const filters = filterParams(p);
    instances = instances.filter((i) => filters.every((f) => matchInstance(i, f, this.state.stateOf(i, now))));
    let nextToken: string | undefined;
    if (maxResults !== null) {
      const max = Number(maxResults);
      if (!Number.isInteger(max) || max < 5 || max > 1000) throw new ApiError(400, 'InvalidParameterValue', `Value ( ${maxResults} ) for parameter maxResults is invalid. Expecting a value between 5 and 1000.`);
      const token = p.get('NextToken');
      if (token) {
        const after = decodeToken(token, region.name);
        instances = instances.filter((i) => i.seq > after);
      }
      if (instances.length > max) {
        instances = instances.slice(0, max);
        nextToken = encodeToken(region.name, instances[max - 1]!.seq);
      }
    }
    const reservations = new Map<string, Instance[]>();
    for (const i of instances) reservations.set(i.reservationId, [...(reservations.get(i.reservationId) ?? []), i]);
    return {
      reservationSet: {
        item: [...reservations.entries()].map(([rid, list]) => ({
          reservationId: rid,
          ownerId: ACCOUNT_ID,
          groupSet: '',
          instancesSet: { item: list.map((i) => this.instanceXml(i, now)) },
        })),
      },
      nextToken,
    };
  }

  private runInstances(p: Params, region: Ec2Region, now: number): XmlObject {
    const imageId = required(p, 'ImageId');
    const token = p.get('ClientToken') ?? undefined;
    if (token && region.tokens.has(token)) {
      const rid = region.tokens.get(token)!;
      return this.reservationXml(rid, [...region.instances.values()].filter((i) => i.reservationId === rid), now);
    }
    if (!this.resources.launchableImage(region, imageId, now)) {
      if (!/^ami-[0-9a-f]{8,17}$/.test(imageId)) throw new ApiError(400, 'InvalidAMIID.Malformed', `Invalid id: "${imageId}" (expecting "ami-...")`);
      throw new ApiError(400, 'InvalidAMIID.NotFound', `The image id '[${imageId}]' does not exist`);
    }
    const instanceType = p.get('InstanceType') ?? 'm1.small';
    if (!INSTANCE_TYPES.some((t) => t.name === instanceType)) throw new ApiError(400, 'InvalidParameterValue', `Invalid value '${instanceType}' for InstanceType.`);
    const min = intParam(p, 'MinCount', 1, 1000);
    const max = intParam(p, 'MaxCount', 1, 1000);
    if (min > max) throw new ApiError(400, 'InvalidParameterValue', 'MinCount must be less than or equal to MaxCount');
    const az = p.get('Placement.AvailabilityZone') ?? zonesOf(region.name)[0]!;
    if (!zonesOf(region.name).includes(az)) throw new ApiError(400, 'InvalidParameterValue', `Invalid availability zone: [${az}]`);
    const tags = specTags(p, 'instance');
    const reservationId = this.state.nextId('r');
    const made = this.state.launch(
      region,
      max,
      () => ({
        id: this.state.nextId('i'),
        reservationId,
        region: region.name,
        imageId,
        instanceType,
        availabilityZone: az,
        launchTime: new Date(now),
        keyName: p.get('KeyName') ?? undefined,
        clientToken: token,
        tags: new Map(tags),
      }),
      now,
    );
    if (token) {
      region.tokens.set(token, reservationId);
      // Bounded memory: forget the oldest tokens (AWS keeps them for a limited time too).
      if (region.tokens.size > 10_000) region.tokens.delete(region.tokens.keys().next().value!);
    }
    return this.reservationXml(reservationId, made, now);
  }

  private changeStates(p: Params, region: Ec2Region, now: number, op: 'start' | 'stop' | 'terminate'): XmlObject {
    const instances = this.find(region, listParam(p, 'InstanceId'), true);
    const items = instances.map((i) => {
      const previous = this.state.stateOf(i, now);
      const next = nextState(previous, op, i.id);
      if (next !== previous) this.state.transition(i, next, now);
      if (next === 'shutting-down') this.resources.onTerminate(region, i, now);
      return { instanceId: i.id, currentState: stateXml(i.state), previousState: stateXml(previous) };
    });
    return { instancesSet: { item: items } };
  }

  private reboot(p: Params, region: Ec2Region, now: number): XmlObject {
    for (const i of this.find(region, listParam(p, 'InstanceId'), true)) {
      const s = this.state.stateOf(i, now);
      if (s !== 'running' && s !== 'pending') throw new ApiError(400, 'IncorrectInstanceState', `The instance '${i.id}' is not in a state from which it can be rebooted.`);
    }
    return { return: true };
  }

  /** The catalog images, then the region's own (CreateImage, CopyImage), with their state. */
  private describeImages(p: Params, region: Ec2Region, now: number): XmlObject {
    const ids = listParam(p, 'ImageId');
    const owners = listParam(p, 'Owner');
    let images: Array<{ image: Image; state: string; tags?: ReadonlyMap<string, string> }> = [
      ...IMAGES.map((image) => ({ image, state: 'available' })),
      ...this.resources.regionImages(region, now).map(({ image, state }) => ({ image, state, tags: image.tags })),
    ];
    if (ids.length > 0) {
      const malformed = ids.find((id) => !/^ami-[0-9a-f]{8,17}$/.test(id));
      if (malformed !== undefined) throw new ApiError(400, 'InvalidAMIID.Malformed', `Invalid id: "${malformed}" (expecting "ami-...")`);
      const missing = ids.filter((id) => !images.some((i) => i.image.id === id));
      if (missing.length > 0) throw new ApiError(400, 'InvalidAMIID.NotFound', `The image id '[${missing.join(', ')}]' does not exist`);
      images = images.filter((i) => ids.includes(i.image.id));
    }
    if (owners.length > 0) images = images.filter(({ image: i }) => owners.some((o) => o === i.ownerId || o === i.ownerAlias || (o === 'self' && i.ownerId === ACCOUNT_ID)));
    const filters = filterParams(p);
    images = images.filter((i) => filters.every((f) => matchImage(i.image, f, i.state)));
    return { imagesSet: { item: images.map((i) => imageXml(i.image, i.state, i.tags)) } };
  }

  private tags(p: Params, region: Ec2Region, op: 'create' | 'delete'): XmlObject {
    const ids = listParam(p, 'ResourceId');
    if (ids.length === 0) throw new ApiError(400, 'MissingParameter', 'The request must contain the parameter resourceIdSet');
    const others = ids.map((id) => this.resources.tagsOf(region, id)).filter((t): t is Map<string, string> => t !== undefined);
    const tagMaps = [...this.find(region, ids.filter((id) => !/^(vol|snap|ami)-/.test(id))).map((i) => i.tags), ...others];
    for (let n = 1; p.has(`Tag.${n}.Key`); n += 1) {
      const key = p.get(`Tag.${n}.Key`)!;
      for (const tags of tagMaps) {
        if (op === 'create') tags.set(key, p.get(`Tag.${n}.Value`) ?? '');
        else tags.delete(key);
      }
    }
    return { return: true };
  }

  private find(region: Ec2Region, ids: string[], requireOne = false): Instance[] {
    if (requireOne && ids.length === 0) throw new ApiError(400, 'MissingParameter', 'The request must contain the parameter InstanceId');
    const malformed = ids.filter((id) => !/^i-[0-9a-f]{8,17}$/.test(id));
    if (malformed.length > 0) throw new ApiError(400, 'InvalidInstanceID.Malformed', `Invalid id: "${malformed[0]}"`);
    const missing = ids.filter((id) => !region.instances.has(id));
    if (missing.length > 0) {
      const text = missing.map((id) => `'${id}'`).join(', ');
      throw new ApiError(400, 'InvalidInstanceID.NotFound', `The instance ID${missing.length > 1 ? 's' : ''} ${text} do${missing.length > 1 ? '' : 'es'} not exist`);
    }
    return [...new Set(ids)].map((id) => region.instances.get(id)!);
  }

  private reservationXml(reservationId: string, instances: Instance[], now: number): XmlObject {
    return { reservationId, ownerId: ACCOUNT_ID, groupSet: '', instancesSet: { item: instances.map((i) => this.instanceXml(i, now)) } };
  }

  private instanceXml(i: Instance, now: number): XmlObject {
    const state = this.state.stateOf(i, now);
    const privateDns = `ip-${i.privateIp.replace(/\./g, '-')}.${i.region === 'us-east-1' ? 'ec2.internal' : `${i.region}.compute.internal`}`;
    return {
      instanceId: i.id,
      imageId: i.imageId,
      instanceState: stateXml(state),
      privateDnsName: state === 'terminated' ? '' : privateDns,
      dnsName: i.publicIp ? `ec2-${i.publicIp.replace(/\./g, '-')}.compute-1.amazonaws.com` : '',
      reason: '',
      keyName: i.keyName,
      amiLaunchIndex: 0,
      productCodes: '',
      instanceType: i.instanceType,
      launchTime: i.launchTime.toISOString(),
      placement: { availabilityZone: i.availabilityZone, groupName: '', tenancy: 'default' },
      monitoring: { state: 'disabled' },
      privateIpAddress: state === 'terminated' ? undefined : i.privateIp,
      ipAddress: i.publicIp,
      architecture: IMAGES.find((m) => m.id === i.imageId)?.architecture ?? 'x86_64',
      rootDeviceType: 'ebs',
      rootDeviceName: '/dev/xvda',
      blockDeviceMapping: '',
      virtualizationType: 'hvm',
      clientToken: i.clientToken ?? '',
      tagSet: i.tags.size ? { item: [...i.tags].map(([key, value]) => ({ key, value })) } : undefined,
      hypervisor: 'xen',
      ebsOptimized: false,
    };
  }
}

function nextState(current: InstanceStateName, op: 'start' | 'stop' | 'terminate', id: string): InstanceStateName {
  const bad = (): never => {
    throw new ApiError(400, 'IncorrectInstanceState', `The instance '${id}' is not in a state from which it can be ${op === 'start' ? 'started' : op === 'stop' ? 'stopped' : 'terminated'}.`);
  };
  if (op === 'terminate') return current === 'terminated' || current === 'shutting-down' ? current : 'shutting-down';
  if (op === 'stop') {
    if (current === 'stopped' || current === 'stopping') return current;
    return current === 'running' ? 'stopping' : bad();
  }
  if (current === 'running' || current === 'pending') return current;
  return current === 'stopped' ? 'pending' : bad();
}

function stateXml(state: InstanceStateName): XmlObject {
  return { code: INSTANCE_STATE_CODES[state], name: state };
}

function describeInstanceTypes(p: Params): XmlObject {
  const names = listParam(p, 'InstanceType');
  const unknown = names.filter((n) => !INSTANCE_TYPES.some((t) => t.name === n));
  if (unknown.length > 0) throw new ApiError(400, 'InvalidInstanceType', `The following supplied instance types do not exist: [${unknown.join(', ')}]`);
  const types = names.length ? INSTANCE_TYPES.filter((t) => names.includes(t.name)) : INSTANCE_TYPES;
  return {
    instanceTypeSet: {
      item: types.map((t) => ({
        instanceType: t.name,
        currentGeneration: true,
        vCpuInfo: { defaultVCpus: t.vcpus },
        memoryInfo: { sizeInMiB: t.memoryMiB },
        processorInfo: { supportedArchitectures: { item: ['x86_64'] } },
      })),
    },
  };
}

function zone(region: string, name: string, k: number): XmlObject {
  return { zoneName: name, optInStatus: 'opt-in-not-required', zoneState: 'available', regionName: region, zoneId: `${region.replace(/-/g, '').slice(0, 4)}-az${k + 1}`, zoneType: 'availability-zone', messageSet: '' };
}

function regionItem(name: string): XmlObject {
  return { regionName: name, regionEndpoint: `ec2.${name}.amazonaws.com`, optInStatus: 'opt-in-not-required' };
}

function matchInstance(i: Instance, f: Filter, state: InstanceStateName): boolean {
  if (f.name.startsWith('tag:')) return matchAny(f, i.tags.get(f.name.slice(4)));
  const fields: Record<string, string | undefined> = {
    'instance-state-name': state,
    'instance-state-code': String(INSTANCE_STATE_CODES[state]),
    'instance-id': i.id,
    'instance-type': i.instanceType,
    'image-id': i.imageId,
    'availability-zone': i.availabilityZone,
    'reservation-id': i.reservationId,
    'client-token': i.clientToken,
    'ip-address': i.publicIp,
    'private-ip-address': i.privateIp,
  };
  if (f.name === 'tag-key') return [...i.tags.keys()].some((k) => matchAny(f, k));
  if (!(f.name in fields)) throw new ApiError(400, 'InvalidParameterValue', `The filter '${f.name}' is invalid`);
  return matchAny(f, fields[f.name]);
}

function matchImage(i: Image, f: Filter, state: string): boolean {
  const fields: Record<string, string | undefined> = { name: i.name, 'image-id': i.id, state, architecture: i.architecture, 'owner-id': i.ownerId, 'owner-alias': i.ownerAlias, platform: i.platform, 'is-public': String(i.ownerId !== ACCOUNT_ID) };
  if (!(f.name in fields)) throw new ApiError(400, 'InvalidParameterValue', `The filter '${f.name}' is invalid`);
  return matchAny(f, fields[f.name]);
}

function xmlResponse(status: number, body: string): FakeResponse {
  return { status, headers: { 'content-type': 'text/xml;charset=UTF-8' }, body };
}
