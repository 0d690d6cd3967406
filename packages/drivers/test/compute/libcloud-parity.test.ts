/**
 * Our parse of the fixtures equals Apache Libcloud's (3.4.1), recorded by
 * test/fixtures/compute/libcloud_parse.py into libcloud_expected.json.
 *
 * Known, intended differences (normalised below):
 * - EC2 public IPs: Libcloud appends DescribeAddresses' elastic IPs to `ipAddress`, listing the primary one twice;
 *   we read them from the instance's interfaces and list each address once.
 * - Missing values: Libcloud's None is our undefined (or '' for a location's country, a string field). Libcloud's
 *   EC2 extras read an empty element (`<dnsName/>`) as '' and an absent one as None; both are undefined here.
 * - EC2 node.size / node.image: Libcloud leaves them None; we give the instance type and AMI id.
 */
import { afterAll, afterEach, beforeAll, describe, expect, test } from '@jest/globals';
import { http, HttpResponse as MswResponse } from 'msw';
import { setupServer } from 'msw/node';
import { ASYNC_MODE } from '@dualcloud/core';
import {
  DigitalOceanNodeDriver,
  EC2NodeDriver,
  type DigitalOceanNodeDriverOptions,
  type EC2NodeDriverOptions,
  type Node,
  type NodeImage,
  type NodeSize,
} from '@dualcloud/drivers/compute';
import { fixture, fixtureJson, promised } from './helpers/fixtures.js';

const expected = fixtureJson('libcloud_expected.json');

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const EC2_FILES: Record<string, string> = {
  DescribeImages: 'describe_images.xml',
  DescribeAvailabilityZones: 'describe_availability_zones.xml',
  RunInstances: 'run_instances.xml',
  RebootInstances: 'reboot_instances.xml',
  StartInstances: 'start_instances.xml',
  StopInstances: 'stop_instances.xml',
  TerminateInstances: 'terminate_instances.xml',
};

function ec2(instances: string): EC2NodeDriver {
  server.use(
    http.post('https://ec2.us-east-1.amazonaws.com/', async ({ request }) => {
      const action = new URLSearchParams(await request.text()).get('Action')!;
      return new MswResponse(fixture(`ec2/${action === 'DescribeInstances' ? instances : EC2_FILES[action]}`), { headers: { 'content-type': 'text/xml' } });
    }),
  );
  return new EC2NodeDriver({ key: 'AKIDEXAMPLE', secret: 'secret', region: 'us-east-1', transport: { adapter: 'http' }, [ASYNC_MODE]: true } as EC2NodeDriverOptions);
}

function digitalocean(droplets: string): DigitalOceanNodeDriver {
  server.use(
    http.get('https://api.digitalocean.com/v2/:collection', ({ request, params }) => {
      const page = new URL(request.url).searchParams.get('page') ?? '1';
      const name = params.collection === 'droplets' ? droplets.replace('page1', `page${page}`) : `list_${String(params.collection)}.json`;
      return new MswResponse(fixture(`digitalocean/${name}`), { headers: { 'content-type': 'application/json' } });
    }),
    http.post('https://api.digitalocean.com/v2/droplets', () => new MswResponse(fixture('digitalocean/create_droplet.json'), { status: 202 })),
    http.post('https://api.digitalocean.com/v2/droplets/:id/actions', () => new MswResponse(fixture('digitalocean/droplet_action.json'), { status: 201 })),
    http.delete('https://api.digitalocean.com/v2/droplets/:id', () => new MswResponse(null, { status: 204 })),
  );
  return new DigitalOceanNodeDriver({ key: 'token', transport: { adapter: 'http' }, [ASYNC_MODE]: true } as DigitalOceanNodeDriverOptions);
}

/** undefined → null, as Libcloud's None reaches JSON. */
const n = (v: unknown): unknown => (v === undefined ? null : v);
const time = (v: string | Date | null | undefined): number | null => (v === null || v === undefined ? null : new Date(v).getTime());
const unique = (ips: string[]): string[] => [...new Set(ips)];

const EC2_NODE_EXTRA: Record<string, string> = {
  status: 'status',
  availability: 'availability',
  instance_type: 'instanceType',
  image_id: 'imageId',
  key_name: 'keyName',
  private_dns: 'privateDns',
  dns_name: 'dnsName',
  vpc_id: 'vpcId',
  subnet_id: 'subnetId',
  launch_time: 'launchTime',
  client_token: 'clientToken',
  architecture: 'architecture',
  root_device_type: 'rootDeviceType',
  tags: 'tags',
};
const EC2_IMAGE_EXTRA: Record<string, string> = {
  state: 'state',
  owner_id: 'ownerId',
  owner_alias: 'ownerAlias',
  is_public: 'isPublic',
  architecture: 'architecture',
  image_type: 'imageType',
  image_location: 'imageLocation',
  platform: 'platform',
  description: 'description',
  root_device_type: 'rootDeviceType',
  virtualization_type: 'virtualizationType',
  hypervisor: 'hypervisor',
  tags: 'tags',
};
const same = (keys: string[]): Record<string, string> => Object.fromEntries(keys.map((k) => [k, k]));
const DO_NODE_EXTRA = same(['memory', 'vcpus', 'disk', 'size_slug', 'locked', 'created_at', 'tags', 'region', 'features']);
const DO_IMAGE_EXTRA = same(['distribution', 'public', 'slug', 'regions', 'min_disk_size', 'created_at']);

function pick(extra: Record<string, unknown>, map: Record<string, string>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(map).map(([theirs, ours]) => [theirs, n(extra[ours])]));
}

type LibcloudNode = { id: string; name: string; state: string; public_ips: string[]; private_ips: string[]; created_at: string | null; extra: Record<string, unknown>; image_id: string | null; size_id: string | null };

function ourNode(node: Node, extraMap: Record<string, string>, withCatalog: boolean) {
  return {
    id: node.id,
    name: node.name,
    state: node.state,
    public_ips: node.publicIps,
    private_ips: node.privateIps,
    created_at: time(node.createdAt),
    extra: pick(node.extra, extraMap),
    ...(withCatalog ? { image_id: n((node.image as NodeImage | undefined)?.id), size_id: n((node.size as NodeSize | undefined)?.id) } : {}),
  };
}

function theirNode(node: LibcloudNode, withCatalog: boolean) {
  return {
    id: node.id,
    name: node.name,
    state: node.state,
    public_ips: unique(node.public_ips),
    private_ips: node.private_ips,
    created_at: time(node.created_at),
    extra: Object.fromEntries(Object.entries(node.extra).map(([k, v]) => [k, v === '' ? null : v])),
    ...(withCatalog ? { image_id: node.image_id, size_id: node.size_id } : {}),
  };
}

test('the recorded output comes from Libcloud', () => {
  expect(expected.libcloud_version).toMatch(/^3\./);
});

describe('EC2 agrees with Libcloud', () => {
  test('listNodes: ids, names, states, IPs, launch time and extras', async () => {
    const ours = await promised(ec2('describe_instances.xml').listNodes());
    expect(ours.map((x) => ourNode(x, EC2_NODE_EXTRA, false))).toEqual(expected.ec2.list_nodes.map((x: LibcloudNode) => theirNode(x, false)));
    const empty = await promised(ec2('describe_instances_empty.xml').listNodes());
    expect(empty).toEqual(expected.ec2.list_nodes_empty);
  });

  test('listImages, listLocations and the instance type table', async () => {
    const d = ec2('describe_instances.xml');
    const images = await promised(d.listImages());
    expect(images.map((i) => ({ id: i.id, name: i.name, extra: pick(i.extra, EC2_IMAGE_EXTRA) }))).toEqual(expected.ec2.list_images);
    const locations = await promised(d.listLocations());
    expect(locations.map((l) => ({ id: l.id, name: l.name, country: l.country, availability_zone: l.extra.availabilityZone }))).toEqual(expected.ec2.list_locations);
    const sizes = await promised(d.listSizes());
    const table = expected.ec2.instance_types as Record<string, { ram: number; disk: number; bandwidth: number | null; vcpus: number }>;
    expect(Object.keys(table).sort()).toEqual(sizes.map((s) => s.id).sort());
    for (const size of sizes) expect({ ram: size.ram, disk: size.disk, bandwidth: n(size.bandwidth), vcpus: size.extra.vcpus }).toEqual(table[size.id]);
  });

  test('createNode and the lifecycle calls', async () => {
    const d = ec2('describe_instances.xml');
    const sizes = await promised(d.listSizes());
    const [image] = await promised(d.listImages());
    const node = await promised(d.createNode({ name: 'web-2', size: sizes.find((s) => s.id === 't3.micro')!, image: image! }));
    expect(ourNode(node, EC2_NODE_EXTRA, false)).toEqual(theirNode(expected.ec2.create_node, false));
    const [first] = await promised(d.listNodes());
    const results = [await promised(d.rebootNode(first!)), await promised(d.startNode(first!)), await promised(d.stopNode(first!)), await promised(d.destroyNode(first!))];
    expect(results).toEqual([expected.ec2.reboot_node, expected.ec2.start_node, expected.ec2.stop_node, expected.ec2.destroy_node]);
  });
});

describe('DigitalOcean agrees with Libcloud', () => {
  test('listNodes (one page, several pages, empty): ids, names, states, IPs, image, size and extras', async () => {
    for (const [fixtureName, key] of [
      ['list_droplets.json', 'list_nodes'],
      ['list_droplets_page1.json', 'list_nodes_paged'],
      ['list_droplets_empty.json', 'list_nodes_empty'],
    ] as const) {
      server.resetHandlers();
      const ours = await promised(digitalocean(fixtureName).listNodes());
      expect(ours.map((x) => ourNode(x, DO_NODE_EXTRA, true))).toEqual(expected.digitalocean[key].map((x: LibcloudNode) => theirNode(x, true)));
    }
  });

  test('listImages, listSizes, listLocations', async () => {
    const d = digitalocean('list_droplets.json');
    const images = await promised(d.listImages());
    expect(images.map((i) => ({ id: i.id, name: i.name, extra: pick(i.extra, DO_IMAGE_EXTRA) }))).toEqual(expected.digitalocean.list_images);
    const sizes = await promised(d.listSizes());
    expect(sizes.map((s) => ({ id: s.id, name: s.name, ram: s.ram, disk: s.disk, bandwidth: s.bandwidth, price: s.price, extra: s.extra }))).toEqual(
      expected.digitalocean.list_sizes,
    );
    const locations = await promised(d.listLocations());
    expect(locations.map((l) => ({ id: l.id, name: l.name, country: l.country === '' ? null : l.country }))).toEqual(expected.digitalocean.list_locations);
  });

  test('createNode, rebootNode, destroyNode', async () => {
    const d = digitalocean('list_droplets.json');
    const [size] = await promised(d.listSizes());
    const [image] = await promised(d.listImages());
    const [location] = await promised(d.listLocations());
    const node = await promised(d.createNode({ name: 'web-2', size: size!, image: image!, location: location! }));
    expect(ourNode(node, DO_NODE_EXTRA, true)).toEqual(theirNode(expected.digitalocean.create_node, true));
    await expect(promised(d.rebootNode(node))).resolves.toBe(expected.digitalocean.reboot_node);
    await expect(promised(d.destroyNode(node))).resolves.toBe(expected.digitalocean.destroy_node);
  });
});
